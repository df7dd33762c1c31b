import { expect } from '@jest/globals';
import { pngBody } from '../support/fixtures.js';
import { uniqueName } from '../support/services.js';

/**
 * The requests of the audit-trail test (audit-trail.test.ts): one per mutating /v1 route, each preparing its
 * targets and naming the event it must leave in the audit log.
 */
export interface Case {
  /** Prepares the targets and returns the request plus the event expected from it. */
  (ctx: Ctx): Promise<{
    method: string;
    path: string;
    body?: unknown;
    expect: Record<string, unknown>;
    /** Waits, after the response, for work the request left running in the background. */
    settle?: () => Promise<void>;
  }>;
}
export interface Ctx {
  victim(): Promise<string>;
  ownKey(): Promise<string>;
  role(): Promise<string>;
  permission(): Promise<string>;
  bannedVictim(): Promise<string>;
  ownEvent(): Promise<string>;
  /** An app the caller's user has let in. */
  ownConnectedApp(): Promise<{ consentId: string; clientId: string }>;
  /** A session of the caller's user. */
  ownSession(): Promise<string>;
  /** A confidential OAuth client of another user (created through the API). */
  victimClient(): Promise<{ id: string; userId: string }>;
  /** A stored custom setting holding 1. */
  setting(): Promise<string>;
  /** A sign-in method of the caller's user besides another (so it may go), not the primary. */
  ownLinkedAccount(): Promise<string>;
  /** A warning given through the Twitch bot. */
  warning(): Promise<{ id: string; community: string }>;
  /** Schedules the deletion of the caller's account (directly, so it can be cancelled). */
  ownDeletionScheduled(): Promise<void>;
  /** Gives the caller's user a password and answers it. */
  ownPassword(): Promise<string>;
  /** The pseudonym a purged user's events carry. */
  pseudonym(userId: string): string;
  /** The caller's user id. */
  self(): string;
  /** Resolves when the data exports queued in this process are done. */
  exportsDone(): Promise<void>;
  /** A stored file of the caller's user (its metadata row; no contents). */
  file(): Promise<string>;
  /** Makes such a file the caller's avatar. */
  ownAvatar(): Promise<void>;
  /** Waits out the window in which an earlier case's event about the caller would be found again. */
  pause(): Promise<void>;
}

export const CASES: Record<string, Case> = {
  // Both avatar routes leave `user_updated` about the caller, as profile changes do.
  'PUT /v1/user/avatar': async (c) => {
    await c.pause();
    return {
      method: 'PUT',
      path: '/v1/user/avatar',
      body: pngBody(),
      expect: {
        event_type: 'user_updated',
        resource_type: 'user',
        resource_id: c.self(),
        metadata: { changed: ['avatar'] },
      },
    };
  },
  'DELETE /v1/user/avatar': async (c) => {
    await c.ownAvatar();
    await c.pause();
    return {
      method: 'DELETE',
      path: '/v1/user/avatar',
      expect: {
        event_type: 'user_updated',
        resource_type: 'user',
        resource_id: c.self(),
        metadata: { changed: ['avatar'] },
      },
    };
  },
  // `call` sends the body as JSON: an allowed media type, stored as a file like any other.
  'POST /v1/storage/files': async () => ({
    method: 'POST',
    path: '/v1/storage/files?name=trail.json',
    body: { trail: true },
    expect: { event_type: 'file_uploaded', resource_type: 'file' },
  }),
  'PATCH /v1/storage/files/:id': async (c) => {
    const id = await c.file();
    return {
      method: 'PATCH',
      path: `/v1/storage/files/${id}`,
      body: { name: 'renamed.txt' },
      expect: { event_type: 'file_updated', resource_type: 'file', resource_id: id },
    };
  },
  'DELETE /v1/storage/files/:id': async (c) => {
    const id = await c.file();
    return {
      method: 'DELETE',
      path: `/v1/storage/files/${id}`,
      expect: { event_type: 'file_deleted', resource_type: 'file', resource_id: id },
    };
  },
  'PATCH /v1/users/:id': async (c) => {
    const id = await c.victim();
    return {
      method: 'PATCH',
      path: `/v1/users/${id}`,
      body: { preferred_locale: 'de' },
      expect: { event_type: 'user_updated', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'DELETE /v1/users/:id': async (c) => {
    const id = await c.victim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}`,
      expect: { event_type: 'user_deleted', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'POST /v1/users/:id/roles': async (c) => {
    const id = await c.victim();
    return {
      method: 'POST',
      path: `/v1/users/${id}/roles`,
      body: { role_id: 'role_moderator' },
      expect: {
        event_type: 'role_assigned',
        user_id: id,
        resource_type: 'role',
        resource_id: 'role_moderator',
      },
    };
  },
  'DELETE /v1/users/:id/roles/:roleId': async (c) => {
    const id = await c.victim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}/roles/role_user`,
      expect: { event_type: 'role_removed', user_id: id, resource_type: 'role', resource_id: 'role_user' },
    };
  },
  'POST /v1/users/:id/ban': async (c) => {
    const id = await c.victim();
    return {
      method: 'POST',
      path: `/v1/users/${id}/ban`,
      body: { reason: 'trail' },
      expect: { event_type: 'user_banned', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'DELETE /v1/users/:id/ban': async (c) => {
    const id = await c.bannedVictim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}/ban`,
      expect: { event_type: 'user_unbanned', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'POST /v1/api-keys': async () => ({
    method: 'POST',
    path: '/v1/api-keys',
    body: { name: uniqueName('trail') },
    expect: { event_type: 'api_key_created', resource_type: 'api_key' },
  }),
  'PATCH /v1/api-keys/:id': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'PATCH',
      path: `/v1/api-keys/${id}`,
      body: { name: 'renamed' },
      expect: { event_type: 'api_key_updated', resource_type: 'api_key', resource_id: id },
    };
  },
  'DELETE /v1/api-keys/:id': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'DELETE',
      path: `/v1/api-keys/${id}`,
      expect: { event_type: 'api_key_revoked', resource_type: 'api_key', resource_id: id },
    };
  },
  'POST /v1/api-keys/:id/rotate': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'POST',
      path: `/v1/api-keys/${id}/rotate`,
      expect: {
        event_type: 'api_key_updated',
        resource_type: 'api_key',
        resource_id: id,
        metadata: expect.objectContaining({ rotated: true }),
      },
    };
  },
  'POST /v1/oauth-clients': async () => ({
    method: 'POST',
    path: '/v1/oauth-clients',
    body: { name: uniqueName('trail'), redirect_uris: ['https://trail.example/cb'] },
    expect: { event_type: 'client_created', resource_type: 'oauth_client' },
  }),
  'PATCH /v1/oauth-clients/:id': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'PATCH',
      path: `/v1/oauth-clients/${id}`,
      body: { name: 'renamed' },
      expect: {
        event_type: 'client_updated',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
        metadata: expect.objectContaining({ changed: ['name'] }),
      },
    };
  },
  'DELETE /v1/oauth-clients/:id': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'DELETE',
      path: `/v1/oauth-clients/${id}`,
      expect: {
        event_type: 'client_deleted',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
      },
    };
  },
  'POST /v1/oauth-clients/:id/regenerate-secret': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'POST',
      path: `/v1/oauth-clients/${id}/regenerate-secret`,
      expect: {
        event_type: 'client_secret_regenerated',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
      },
    };
  },
  'POST /v1/roles': async () => {
    const name = uniqueName('Trail role');
    return {
      method: 'POST',
      path: '/v1/roles',
      body: { name, permission_ids: ['gps:read'] },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        metadata: { action: 'role_created', permission_ids: ['gps:read'] },
      },
    };
  },
  'PATCH /v1/roles/:id': async (c) => {
    const id = await c.role();
    return {
      method: 'PATCH',
      path: `/v1/roles/${id}`,
      body: { description: 'changed' },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'role_updated', changed: ['description'] },
      },
    };
  },
  'DELETE /v1/roles/:id': async (c) => {
    const id = await c.role();
    return {
      method: 'DELETE',
      path: `/v1/roles/${id}`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: expect.objectContaining({ action: 'role_deleted' }),
      },
    };
  },
  'POST /v1/roles/:id/permissions': async (c) => {
    const id = await c.role();
    return {
      method: 'POST',
      path: `/v1/roles/${id}/permissions`,
      body: { permission_id: 'gps:write' },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'permission_added', permission_id: 'gps:write' },
      },
    };
  },
  'DELETE /v1/roles/:id/permissions/:permId': async (c) => {
    const id = await c.role();
    return {
      method: 'DELETE',
      path: `/v1/roles/${id}/permissions/gps:read`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'permission_removed', permission_id: 'gps:read' },
      },
    };
  },
  'POST /v1/permissions': async () => {
    const action = uniqueName('a').toLowerCase();
    return {
      method: 'POST',
      path: '/v1/permissions',
      body: { resource: 'trail', action },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'permission',
        resource_id: `trail:${action}`,
        metadata: { action: 'permission_created' },
      },
    };
  },
  'DELETE /v1/permissions/:id': async (c) => {
    const id = await c.permission();
    return {
      method: 'DELETE',
      path: `/v1/permissions/${id}`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'permission',
        resource_id: id,
        metadata: { action: 'permission_deleted' },
      },
    };
  },
  'PUT /v1/settings/:key': async () => {
    const key = `custom.${uniqueName('trail').toLowerCase()}`;
    return {
      method: 'PUT',
      path: `/v1/settings/${key}`,
      body: { value: { on: true } },
      expect: {
        event_type: 'setting_changed',
        resource_type: 'setting',
        resource_id: key,
        // A custom.* setting may hold a secret: its values stay out of the log.
        metadata: { operation: 'create', is_public: false },
      },
    };
  },
  'DELETE /v1/settings/:key': async (c) => {
    const key = await c.setting();
    return {
      method: 'DELETE',
      path: `/v1/settings/${key}`,
      expect: {
        event_type: 'setting_changed',
        resource_type: 'setting',
        resource_id: key,
        metadata: { operation: 'delete', is_public: false },
      },
    };
  },
  'POST /v1/bots/:platform/warnings': async () => {
    const community = uniqueName('guild').toLowerCase();
    return {
      method: 'POST',
      path: '/v1/bots/discord/warnings',
      body: { community_id: community, member: { id: '42', name: 'Troll' }, moderator: { platform_id: '7' } },
      expect: {
        event_type: 'bot_moderation_action',
        resource_type: 'discord_community',
        resource_id: community,
        source_service: 'discord_bot',
        metadata: expect.objectContaining({ action: 'warn', member_platform_id: '42' }),
      },
    };
  },
  'DELETE /v1/bots/:platform/warnings/:id': async (c) => {
    const { id, community } = await c.warning();
    return {
      method: 'DELETE',
      path: `/v1/bots/twitch/warnings/${id}`,
      expect: {
        event_type: 'bot_moderation_action',
        resource_type: 'twitch_community',
        resource_id: community,
        source_service: 'twitch_bot',
        metadata: expect.objectContaining({ action: 'unwarn', warning_id: id }),
      },
    };
  },
  'DELETE /v1/user/sessions/:id': async (c) => {
    const id = await c.ownSession();
    return {
      method: 'DELETE',
      path: `/v1/user/sessions/${id}`,
      expect: { event_type: 'session_revoked', resource_type: 'session', resource_id: id },
    };
  },
  'DELETE /v1/user/sessions': async (c) => {
    await c.ownSession();
    return {
      method: 'DELETE',
      path: '/v1/user/sessions',
      expect: { event_type: 'all_sessions_revoked', metadata: { count: 1, kept_current: false } },
    };
  },
  'DELETE /v1/user/connected-apps/:id': async (c) => {
    const { consentId, clientId } = await c.ownConnectedApp();
    return {
      method: 'DELETE',
      path: `/v1/user/connected-apps/${consentId}`,
      expect: { event_type: 'consent_revoked', resource_type: 'oauth_client', resource_id: clientId },
    };
  },
  'DELETE /v1/user/connected-apps': async (c) => {
    const { clientId } = await c.ownConnectedApp();
    return {
      method: 'DELETE',
      path: '/v1/user/connected-apps',
      expect: { event_type: 'consent_revoked', resource_id: clientId },
    };
  },
  'DELETE /v1/user/accounts/:id': async (c) => {
    const id = await c.ownLinkedAccount();
    return {
      method: 'DELETE',
      path: `/v1/user/accounts/${id}`,
      expect: {
        event_type: 'account_unlinked',
        resource_type: 'platform_account',
        resource_id: id,
        metadata: expect.objectContaining({ platform: 'email', was_primary: false }),
      },
    };
  },
  'PUT /v1/user/accounts/:id/primary': async (c) => {
    const id = await c.ownLinkedAccount();
    return {
      method: 'PUT',
      path: `/v1/user/accounts/${id}/primary`,
      expect: {
        event_type: 'primary_account_changed',
        resource_type: 'platform_account',
        resource_id: id,
        metadata: expect.objectContaining({ platform: 'email' }),
      },
    };
  },
  'POST /v1/users/:id/purge': async (c) => {
    const id = await c.victim();
    const alias = c.pseudonym(id);
    return {
      method: 'POST',
      path: `/v1/users/${id}/purge`,
      body: { reason: 'trail' },
      expect: {
        event_type: 'user_deleted',
        user_id: alias,
        resource_type: 'user',
        resource_id: alias,
        metadata: expect.objectContaining({ via: 'admin_purge', reason: 'trail' }),
      },
    };
  },
  'DELETE /v1/user/delete': async (c) => {
    await c.ownDeletionScheduled();
    return {
      method: 'DELETE',
      path: '/v1/user/delete',
      expect: { event_type: 'deletion_cancelled', user_id: c.self(), resource_id: c.self() },
    };
  },
  'POST /v1/user/delete/cancel': async (c) => {
    await c.ownDeletionScheduled();
    return {
      method: 'POST',
      path: '/v1/user/delete/cancel',
      expect: { event_type: 'deletion_cancelled', user_id: c.self(), resource_id: c.self() },
    };
  },
  'PATCH /v1/user/privacy': async () => ({
    method: 'PATCH',
    path: '/v1/user/privacy',
    body: { privacy_mode: true },
    expect: {
      event_type: 'user_updated',
      resource_type: 'user',
      metadata: expect.objectContaining({ changed: ['privacy_mode'] }),
    },
  }),
  'POST /v1/user/activity/:id/report': async (c) => {
    const id = await c.ownEvent();
    return {
      method: 'POST',
      path: `/v1/user/activity/${id}/report`,
      body: {},
      expect: { event_type: 'activity_reported', resource_type: 'audit_event', resource_id: id },
    };
  },
  // The event is recorded when the background job is done: the test waits for it.
  'POST /v1/user/export': async (c) => ({
    method: 'POST',
    path: '/v1/user/export',
    expect: { event_type: 'data_exported', user_id: c.self(), resource_type: 'data_export' },
    settle: () => c.exportsDone(),
  }),
  // Last: once the caller asked to delete their account, their key stops working.
  'POST /v1/user/delete': async (c) => ({
    method: 'POST',
    path: '/v1/user/delete',
    body: { password: await c.ownPassword() },
    expect: {
      event_type: 'deletion_scheduled',
      user_id: c.self(),
      resource_type: 'user',
      resource_id: c.self(),
      metadata: expect.objectContaining({ via: 'self' }),
    },
  }),
};

/**
 * Routes that change nothing or whose event is the caller's own submission (asserted in audit.test.ts). The
 * /v1/2fa routes need an authenticator app's codes; test/api/two-factor.test.ts asserts their events.
 */
export const NOT_AUDITED = new Set([
  'POST /v1/audit',
  // Checking a session changes nothing; extending one is routine upkeep (its creation and end are recorded).
  'POST /v1/auth/session',
  'POST /v1/auth/refresh',
]);
