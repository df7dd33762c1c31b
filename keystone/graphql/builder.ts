import type { ApiKeyService } from '../../core/api-keys/service.js';
import type { AuditService } from '../../core/audit/service.js';
import type { SettingService } from '../../core/settings/service.js';
import type { OAuthClientService } from '../../core/oauth-clients/service.js';
import type { PermissionExplainer } from '../../core/rbac/explain.js';
import type { PermissionService } from '../../core/rbac/permissions-service.js';
import type { RoleService } from '../../core/rbac/roles-service.js';
import type { LiveEvents } from '../../core/shared/live-events.js';
import type { LinkedAccountService } from '../../core/linked-accounts/service.js';
import type { UserService } from '../../core/users/service.js';
import type { Session } from '../access.js';

/*
 * The types every part of Heimdall's GraphQL shares, kept apart from the schema they build so that the
 * extensions, the mutation modules and the lists can all depend on them without depending on each other.
 */

/** What Heimdall's own GraphQL operations call: the same services REST calls (wired at start). */
export interface ExtensionServices {
  audit: AuditService;
  users: UserService;
  roles: RoleService;
  permissions: PermissionService;
  /** "May this user or key do resource:action, and why?" */
  explainer: PermissionExplainer;
  apiKeys: ApiKeyService;
  oauthClients: OAuthClientService;
  settings: SettingService;
  /** Sign-in methods: a person's own, and anyone's for administrators. */
  linkedAccounts: LinkedAccountService;
  /** Stored audit events and GPS points, live, on every node (the realtime broker's channels). */
  live: LiveEvents;
}

export interface Context {
  session?: Session;
}

/** The Pothos builder's type parameters: the request context and the JSON scalar. */
export interface BuilderTypes {
  Context: Context;
  Scalars: { JSON: { Input: unknown; Output: unknown } };
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>>;

export const notWired = (): ExtensionServices => {
  throw new Error('GraphQL extensions used before the platform wired its services');
};
