import type { ActionContext } from 'adminjs';
import type { AccountService } from '../../core/accounts/service.js';
import type { AuditService } from '../../core/audit/service.js';
import type { LinkedAccountService } from '../../core/linked-accounts/service.js';
import { requirePermission } from '../../core/auth/guards.js';
import type { RoleService } from '../../core/rbac/roles-service.js';
import type { SessionService } from '../../core/sessions/service.js';
import type { TwoFactorService } from '../../core/two-factor/service.js';
import type { UserService } from '../../core/users/service.js';
import { validateInput } from '../../core/shared/validation.js';
import type { Actor } from '../../core/shared/actor.js';
import { listUsersQuery } from '../../schemas/rbac.js';
import { listAuditQuery } from '../../schemas/audit.js';
import { banUserBody, type UserRecord } from '../../schemas/users.js';
import { builtInActions, confirmAction, formAction, may, optionalText, type FormField } from './actions.js';
import { AppError } from '../../core/errors/index.js';
import { roleChoices } from './roles.js';
import {
  arrayParam,
  requireActor,
  ServiceResource,
  type ListQuery,
  type ResourceBackend,
} from './service-resource.js';

export interface UserServices {
  users: UserService;
  roles: RoleService;
  sessions: SessionService;
  twoFactor: TwoFactorService;
  accounts: AccountService;
  audit: AuditService;
  linkedAccounts: LinkedAccountService;
}

const SORTABLE = new Set(['created_at', 'username', 'last_login_at']);

/** A date the filter form sent, as RFC 3339 (what the list query takes); the text itself when unreadable. */
const isoOf = (value: string) => (Number.isNaN(Date.parse(value)) ? value : new Date(value).toISOString());

/** The panel's filters → the same list query REST's GET /v1/users takes (validated by the same schema). */
function listInput(query: ListQuery) {
  const f = query.filters;
  const created = typeof f.created_at === 'object' ? f.created_at : undefined;
  const sort = query.sort && SORTABLE.has(query.sort.by) ? query.sort : undefined;
  return validateInput(
    listUsersQuery,
    {
      page: String(Math.floor(query.offset / query.limit) + 1),
      per_page: String(query.limit),
      ...(typeof f.q === 'string' ? { q: f.q } : {}),
      ...(typeof f.role_ids === 'string' ? { role_id: f.role_ids } : {}),
      ...(typeof f.status === 'string' && f.status !== 'deleted'
        ? { banned: String(f.status === 'banned') }
        : {}),
      ...(f.status === 'deleted' ? { include_deleted: 'true' } : {}),
      ...(typeof f.two_factor === 'string' ? { two_factor: f.two_factor } : {}),
      ...(created?.from ? { created_after: isoOf(created.from) } : {}),
      ...(created?.to ? { created_before: isoOf(created.to) } : {}),
      ...(sort ? { sort: `${sort.direction === 'desc' ? '-' : ''}${sort.by}` } : {}),
    },
    'filters',
  );
}

const status = (u: UserRecord) => (u.deleted_at ? 'deleted' : u.ban ? 'banned' : 'active');

function usersBackend(services: UserServices): ResourceBackend<UserRecord> {
  return {
    id: 'Users',
    properties: [
      { path: 'id', isId: true },
      { path: 'username', isTitle: true, isSortable: true },
      { path: 'email' },
      { path: 'status' },
      { path: 'role_ids', isArray: true },
      { path: 'two_factor', type: 'boolean' },
      { path: 'created_at', type: 'datetime', isSortable: true },
      { path: 'last_login_at', type: 'datetime', isSortable: true },
      { path: 'ban_reason' },
      { path: 'ban_expires_at', type: 'datetime' },
      { path: 'q' },
    ],
    toParams: (u) => ({
      id: u.id,
      username: u.username,
      email: u.email,
      status: status(u),
      role_ids: u.role_ids,
      two_factor: u.two_factor_enabled,
      created_at: u.created_at,
      last_login_at: u.last_login_at,
      ban_reason: u.ban?.reason ?? null,
      ban_expires_at: u.ban?.expires_at ?? null,
    }),
    async list(actor, query) {
      requirePermission(actor.auth, 'users', 'read');
      const page = await services.users.list(listInput(query));
      return { rows: page.data, total: page.pagination.total };
    },
    get: (actor, id) => services.users.get(actor.auth, id),
  };
}

/** The parts of a user's page besides the record; a part the admin may not read is left out, not an error. */
async function userDetails(services: UserServices, actor: Actor, id: string) {
  const part = async <T>(call: () => Promise<T>): Promise<T | null> => {
    try {
      return await call();
    } catch {
      return null;
    }
  };
  const [methods, sessions, twoFactor, activity] = await Promise.all([
    part(() => services.linkedAccounts.ofUser(actor.auth, id)),
    part(async () =>
      (await services.sessions.list(actor.auth, id)).map((s) => ({
        id: s.id,
        ip_address: s.ip_address,
        user_agent: s.user_agent,
        provider: s.provider,
        created_at: s.created_at,
        last_activity_at: s.last_activity_at,
      })),
    ),
    part(() => services.twoFactor.status(actor.auth, id)),
    part(async () => {
      requirePermission(actor.auth, 'audit', 'read');
      const page = await services.audit.list(
        validateInput(listAuditQuery, { user_id: id, limit: '10' }, 'query'),
      );
      return page.data.map((e) => ({
        id: e.id,
        event_type: e.event_type,
        status: e.status,
        ip_address: e.ip_address,
        country_code: e.country_code,
        created_at: e.created_at,
      }));
    }),
  ]);
  return { methods, sessions, twoFactor, activity };
}

const roleOptions = (services: UserServices) => roleChoices(services.roles);

/** Giving a user a role, or taking one of theirs away: a choice of role, the service's guards. */
function roleAction(services: UserServices, kind: 'assign' | 'remove') {
  return formAction({
    actionType: 'record',
    icon: kind === 'assign' ? 'UserPlus' : 'UserMinus',
    permission: ['users', 'write'],
    ...(kind === 'remove' ? { variant: 'danger' as const } : {}),
    fields: async (_actor, record): Promise<FormField[]> => {
      const held = new Set(arrayParam(record, 'role_ids'));
      const options = (await roleOptions(services)).filter((o) => (kind === 'remove') === held.has(o.value));
      return [{ name: 'role_id', type: 'select', required: true, options }];
    },
    async run(actor, payload, record) {
      const roleId = optionalText(payload.role_id);
      if (!roleId) throw new AppError('admin.role_required', 400, 'Choose a role.', { field: 'role_id' });
      const id = String(record!.id());
      if (kind === 'assign') await services.users.addRole(actor, id, roleId);
      else await services.users.removeRole(actor, id, roleId);
      return { message: kind === 'assign' ? 'roleAssigned' : 'roleRemoved', then: 'show' };
    },
  });
}

export function usersResource(services: UserServices) {
  return {
    resource: new ServiceResource(usersBackend(services)),
    options: {
      navigation: { name: 'people', icon: 'User' },
      listProperties: [
        'username',
        'email',
        'status',
        'role_ids',
        'two_factor',
        'created_at',
        'last_login_at',
      ],
      filterProperties: ['q', 'status', 'role_ids', 'two_factor', 'created_at'],
      showProperties: [
        'id',
        'username',
        'email',
        'status',
        'role_ids',
        'two_factor',
        'created_at',
        'last_login_at',
        'ban_reason',
        'ban_expires_at',
      ],
      properties: {
        status: {
          availableValues: ['active', 'banned', 'deleted'].map((v) => ({ value: v, label: v })),
        },
        two_factor: { type: 'boolean' as const },
      },
      actions: {
        ...builtInActions('users', { search: true }),
        show: { isAccessible: may('users', 'read'), component: 'UserShow' },
        /** What the user's page shows besides the record (roles, sign-in methods, sessions, 2FA, activity). */
        details: {
          actionType: 'record' as const,
          component: false as const,
          isVisible: false,
          isAccessible: may('users', 'read'),
          handler: async (_request: unknown, _response: unknown, context: ActionContext) => ({
            record: context.record!.toJSON(context.currentAdmin),
            details: await userDetails(services, requireActor(context), String(context.record!.id())),
          }),
        },
        ban: formAction({
          actionType: 'record',
          icon: 'Slash',
          permission: ['users', 'ban'],
          variant: 'danger',
          intro: 'banIntro',
          fields: () => [
            { name: 'reason', type: 'textarea', required: true, maxLength: 500 },
            { name: 'expires_at', type: 'datetime' },
          ],
          async run(actor, payload, record) {
            const body = validateInput(
              banUserBody,
              {
                reason: payload.reason,
                ...(optionalText(payload.expires_at) ? { expires_at: payload.expires_at } : {}),
              },
              'form',
            );
            await services.users.ban(actor, String(record!.id()), body);
            return { message: 'userBanned', then: 'show' };
          },
        }),
        unban: confirmAction({
          icon: 'CheckCircle',
          permission: ['users', 'ban'],
          intro: 'unbanIntro',
          message: 'userUnbanned',
          run: (actor, id) => services.users.unban(actor, id),
        }),
        assignRole: roleAction(services, 'assign'),
        removeRole: roleAction(services, 'remove'),
        resetTwoFactor: confirmAction({
          icon: 'Shield',
          permission: ['two_factor', 'manage'],
          variant: 'danger',
          intro: 'resetTwoFactorIntro',
          message: 'twoFactorReset',
          run: (actor, id) => services.twoFactor.disable(actor, { user_id: id }),
        }),
        endSessions: confirmAction({
          icon: 'LogOut',
          permission: ['users', 'write'],
          variant: 'danger',
          intro: 'endSessionsIntro',
          message: 'sessionsEnded',
          run: (actor, id) => services.sessions.revokeAll(actor, id),
        }),
        sendPasswordReset: confirmAction({
          icon: 'Mail',
          permission: ['users', 'write'],
          intro: 'sendPasswordResetIntro',
          message: 'passwordResetSent',
          run: (actor, id) => services.accounts.sendPasswordReset(actor, id),
        }),
      },
    },
  };
}
