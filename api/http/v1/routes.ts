import type { TwoFactorService } from '../../../core/two-factor/service.js';
import { twoFactorRoutes } from './two-factor.js';
import type { ConnectedAppService } from '../../../core/oauth-clients/connected-apps.js';
import { connectedAppRoutes } from './connected-apps.js';
import type { Authenticator } from '../../../core/auth/authenticator.js';
import type { SessionService } from '../../../core/sessions/service.js';
import { sessionRoutes } from './sessions.js';
import type { ApiKeyService } from '../../../core/api-keys/service.js';
import type { AuditService } from '../../../core/audit/service.js';
import type { OAuthClientService } from '../../../core/oauth-clients/service.js';
import type { PermissionExplainer } from '../../../core/rbac/explain.js';
import type { PermissionService } from '../../../core/rbac/permissions-service.js';
import type { RoleService } from '../../../core/rbac/roles-service.js';
import type { UserService } from '../../../core/users/service.js';
import type { SettingService } from '../../../core/settings/service.js';
import type { LinkedAccountService } from '../../../core/linked-accounts/service.js';
import type { PlatformTokenStore } from '../../../core/platform-tokens/store.js';
import type { AnyRoute } from '../route.js';
import type { AccountDeletionService } from '../../../core/accounts/deletion.js';
import type { DataExportService } from '../../../core/accounts/export.js';
import { accountDeletionRoutes } from './account-deletion.js';
import { dataExportRoutes } from './data-export.js';
import { apiKeyRoutes } from './api-keys.js';
import type { BotWarningService } from '../../../core/bot-warnings/service.js';
import { botWarningRoutes } from './bot-warnings.js';
import type { StorageService } from '../../../core/storage/service.js';
import { storageRoutes } from './storage.js';
import type { AvatarService } from '../../../core/users/avatar.js';
import { avatarRoutes } from './avatar.js';
import { auditRoutes } from './audit.js';
import { integrationRoutes } from './integrations.js';
import type { PlatformCheckService } from '../../../core/linked-accounts/platform-check.js';
import { linkedAccountRoutes } from './linked-accounts.js';
import { meRoute } from './me.js';
import { oauthClientRoutes } from './oauth-clients.js';
import { permissionRoutes } from './permissions.js';
import { roleRoutes } from './roles.js';
import { settingRoutes } from './settings.js';
import { userRoutes } from './users.js';

export interface V1Services {
  twoFactor: TwoFactorService;
  /** How a person's account is named in authenticator apps (their email, else username). */
  accountLabel: (userId: string) => Promise<string>;
  connectedApps: ConnectedAppService;
  sessions: SessionService;
  authenticator: Authenticator;
  apiKeys: ApiKeyService;
  users: UserService;
  roles: RoleService;
  permissions: PermissionService;
  /** "May this user or key do resource:action, and why?" */
  explainer: PermissionExplainer;
  audit: AuditService;
  oauthClients: OAuthClientService;
  settings: SettingService;
  linkedAccounts: LinkedAccountService;
  /** Hands bots a person's platform tokens. */
  platformTokens: PlatformTokenStore;
  platformChecks: PlatformCheckService;
  botWarnings: BotWarningService;
  accountDeletion: AccountDeletionService;
  dataExport: DataExportService;
  storage: StorageService;
  avatars: AvatarService;
}

/** Every REST /v1 route, in the order the OpenAPI document lists them. */
export function v1Routes(services: V1Services): AnyRoute[] {
  return [
    meRoute,
    ...sessionRoutes({ sessions: services.sessions, authenticator: services.authenticator }),
    ...connectedAppRoutes(services.connectedApps),
    ...linkedAccountRoutes(services.linkedAccounts),
    ...twoFactorRoutes(services.twoFactor, services.accountLabel),
    ...accountDeletionRoutes(services.accountDeletion),
    ...dataExportRoutes(services.dataExport),
    ...avatarRoutes(services.avatars),
    ...userRoutes(services.users),
    ...apiKeyRoutes(services.apiKeys),
    ...oauthClientRoutes(services.oauthClients),
    ...roleRoutes(services.roles),
    ...permissionRoutes(services.permissions, services.explainer),
    ...auditRoutes(services.audit),
    ...settingRoutes(services.settings),
    ...integrationRoutes(services.platformTokens, services.platformChecks),
    ...botWarningRoutes(services.botWarnings),
    ...storageRoutes(services.storage),
  ];
}
