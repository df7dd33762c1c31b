import type { AccountDeletionService } from '../../../core/accounts/deletion.js';
import {
  deletionStatusSchema,
  purgeUserBody,
  requestDeletionBody,
} from '../../../schemas/account-deletion.js';
import { uuidParam } from '../../../schemas/common.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * Deleting accounts: a person schedules the deletion of their own (re-authenticated), sees when it happens and
 * cancels it during the grace period; an administrator erases an account at once. docs/accounts.md describes
 * what erasing removes and what the audit log keeps.
 */
const userRequired = { status: 403, code: 'auth.user_required' } as const;
const scopeRequired = { status: 403, code: 'auth.insufficient_scope' } as const;
const notScheduled = { status: 404, code: 'account.deletion_not_scheduled' } as const;

export function accountDeletionRoutes(service: AccountDeletionService): AnyRoute[] {
  const cancel = (method: 'delete' | 'post', path: string, summary: string) =>
    defineRoute({
      method,
      path,
      summary,
      tag: 'account',
      access: 'authenticated',
      response: deletionStatusSchema,
      errors: [userRequired, scopeRequired, notScheduled],
      handler: ({ req }) => service.cancel(actorOf(req)),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/v1/user/deletion-status',
      summary: 'Whether the deletion of your account is scheduled, and when it is erased',
      tag: 'account',
      access: 'authenticated',
      response: deletionStatusSchema,
      errors: [userRequired, scopeRequired],
      handler: ({ auth }) => service.status(auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/user/delete',
      summary:
        'Delete your account after the grace period (accounts.deletion_grace_days): signs you out everywhere at once',
      tag: 'account',
      access: 'authenticated',
      body: requestDeletionBody,
      response: deletionStatusSchema,
      status: 202,
      errors: [
        userRequired,
        scopeRequired,
        { status: 403, code: 'account.wrong_password' },
        { status: 403, code: 'account.reauthentication_required' },
        { status: 409, code: 'account.deletion_scheduled' },
        { status: 409, code: 'user.last_super_admin' },
      ],
      handler: ({ req, body }) => service.request(actorOf(req), body),
    }),
    cancel('delete', '/v1/user/delete', 'Cancel the scheduled deletion of your account'),
    cancel(
      'post',
      '/v1/user/delete/cancel',
      'Cancel the scheduled deletion of your account (the same as DELETE /v1/user/delete)',
    ),
    defineRoute({
      method: 'post',
      path: '/v1/users/:id/purge',
      summary:
        'Erase a user at once, with a reason: their data is deleted and their audit events anonymized (users:delete)',
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      body: purgeUserBody,
      errors: [
        { status: 404, code: 'user.not_found' },
        { status: 403, code: 'auth.escalation_denied' },
        { status: 409, code: 'user.last_super_admin' },
        { status: 409, code: 'user.cannot_purge_self' },
      ],
      handler: ({ req, params, body }) => service.purgeNow(actorOf(req), params.id, body.reason),
    }),
  ];
}
