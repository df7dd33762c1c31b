import type { TwoFactorService } from '../../../core/two-factor/service.js';
import {
  backupCodeCountSchema,
  backupCodesSchema,
  twoFactorCodeBody,
  twoFactorDisableBody,
  twoFactorSetupSchema,
  twoFactorStatusQuery,
  twoFactorStatusSchema,
  twoFactorVerifiedSchema,
} from '../../../schemas/two-factor.js';
import { requireUserId } from '../../../core/auth/guards.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * `/v1/2fa`. Setting up and checking codes works while a required 2FA is still pending:
 * that is how a person gets out of the pending state.
 */
const invalidCode = { status: 422, code: 'two_factor.invalid_code' } as const;
const tooMany = { status: 429, code: 'two_factor.too_many_attempts' } as const;
const userRequired = { status: 403, code: 'auth.user_required' } as const;
/** API keys need the scope two_factor:manage to change their owner's 2FA. */
const scopeRequired = { status: 403, code: 'auth.insufficient_scope' } as const;
/** Someone else's 2FA needs two_factor:read (status) or two_factor:manage (reset). */
const forbidden = { status: 403, code: 'auth.forbidden' } as const;
const notEnabled = { status: 409, code: 'two_factor.not_enabled' } as const;
const alreadyEnabled = { status: 409, code: 'two_factor.already_enabled' } as const;

export function twoFactorRoutes(
  service: TwoFactorService,
  accountLabel: (userId: string) => Promise<string>,
): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/2fa/status',
      summary: 'Whether 2FA is on, required by a role, and how many backup codes are left',
      tag: 'two-factor',
      access: 'authenticated',
      allowWithoutTwoFactor: true,
      query: twoFactorStatusQuery,
      response: twoFactorStatusSchema,
      errors: [userRequired, scopeRequired, forbidden],
      handler: ({ auth, query }) => service.status(auth, query.user_id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/2fa/setup',
      summary: 'Start setting up TOTP: a new secret, its otpauth URI and QR code (not active until enabled)',
      tag: 'two-factor',
      access: 'authenticated',
      allowWithoutTwoFactor: true,
      response: twoFactorSetupSchema,
      errors: [alreadyEnabled, userRequired, scopeRequired],
      // The label is the owner's: a key without one is refused before it is looked up.
      handler: async ({ req, auth }) => service.setup(actorOf(req), await accountLabel(requireUserId(auth))),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/2fa/enable',
      summary: 'Turn 2FA on with a code from the app; answers the ten backup codes, shown only now',
      tag: 'two-factor',
      access: 'authenticated',
      allowWithoutTwoFactor: true,
      body: twoFactorCodeBody,
      response: backupCodesSchema,
      errors: [
        invalidCode,
        tooMany,
        { status: 409, code: 'two_factor.not_set_up' },
        alreadyEnabled,
        userRequired,
        scopeRequired,
      ],
      handler: ({ req, body }) => service.enable(actorOf(req), body.code),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/2fa/verify',
      summary: 'Check a code (TOTP or backup); a session that passes counts as verified',
      tag: 'two-factor',
      access: 'authenticated',
      allowWithoutTwoFactor: true,
      body: twoFactorCodeBody,
      response: twoFactorVerifiedSchema,
      errors: [invalidCode, tooMany, notEnabled, userRequired, scopeRequired],
      handler: async ({ req, body }) => ({
        verified: true as const,
        ...(await service.verify(actorOf(req), body.code)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/2fa/disable',
      summary: 'Turn 2FA off: yours with a code and your password; someone else’s with two_factor:manage',
      tag: 'two-factor',
      access: 'authenticated',
      body: twoFactorDisableBody,
      errors: [
        invalidCode,
        tooMany,
        notEnabled,
        { status: 403, code: 'two_factor.password_required' },
        { status: 422, code: 'two_factor.code_required' },
        userRequired,
        scopeRequired,
        forbidden,
      ],
      handler: async ({ req, body }) => {
        await service.disable(actorOf(req), body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/2fa/backup-codes',
      summary: 'How many backup codes are left (the codes are shown only when made)',
      tag: 'two-factor',
      access: 'authenticated',
      response: backupCodeCountSchema,
      errors: [notEnabled, userRequired],
      handler: ({ auth }) => service.backupCodesRemaining(auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/2fa/backup-codes/regenerate',
      summary: 'Replace all backup codes (needs a current code from the app)',
      tag: 'two-factor',
      access: 'authenticated',
      body: twoFactorCodeBody,
      response: backupCodesSchema,
      errors: [invalidCode, tooMany, notEnabled, userRequired, scopeRequired],
      handler: ({ req, body }) => service.regenerateBackupCodes(actorOf(req), body.code),
    }),
  ];
}
