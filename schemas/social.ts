import { z } from 'zod';
import { EXPLANATION_REASONS, permissionName } from './rbac.js';

/**
 * The upstream sign-in providers (social sign-in): their ids (the Platform table's ids), what each asks for, and
 * where it lives. Each is configured under `[social.<id>]`; it is offered only when its Platform row is enabled
 * too and it has a client id. Base URLs are overridable so a test (or a provider's staging host) can stand in.
 */
export const SOCIAL_PLATFORM_IDS = [
  'twitch',
  'discord',
  'github',
  'google',
  'kick',
  'trovo',
  'steam',
] as const;
export type SocialPlatformId = (typeof SOCIAL_PLATFORM_IDS)[number];

export const isSocialPlatform = (id: string): id is SocialPlatformId =>
  (SOCIAL_PLATFORM_IDS as readonly string[]).includes(id);

interface ProviderDefaults {
  /** The host people are sent to for sign-in (for Google, the issuer: discovery is read from it). */
  auth_url: string;
  /** The host the profile (and, for some, the token endpoint) is read from. */
  api_url: string;
  /** Asked at every sign-in: enough to know who the person is. */
  scopes: string[];
  /** Asked on top when a person connects the platform for bots (`/account/accounts`): acting for them. */
  integration_scopes: string[];
}

export const SOCIAL_PROVIDER_DEFAULTS: Record<SocialPlatformId, ProviderDefaults> = {
  twitch: {
    auth_url: 'https://id.twitch.tv',
    api_url: 'https://api.twitch.tv',
    scopes: ['user:read:email'],
    integration_scopes: [
      'chat:read',
      'chat:edit',
      'moderator:manage:banned_users',
      'moderator:manage:chat_messages',
    ],
  },
  discord: {
    auth_url: 'https://discord.com',
    api_url: 'https://discord.com/api',
    scopes: ['identify', 'email'],
    integration_scopes: [],
  },
  github: {
    auth_url: 'https://github.com',
    api_url: 'https://api.github.com',
    scopes: ['read:user', 'user:email'],
    integration_scopes: [],
  },
  google: {
    auth_url: 'https://accounts.google.com',
    api_url: 'https://www.googleapis.com',
    scopes: ['openid', 'email', 'profile'],
    integration_scopes: ['https://www.googleapis.com/auth/youtube.force-ssl'],
  },
  kick: {
    auth_url: 'https://id.kick.com',
    api_url: 'https://api.kick.com',
    scopes: ['user:read'],
    integration_scopes: ['channel:read', 'chat:write', 'moderation:ban'],
  },
  trovo: {
    auth_url: 'https://open.trovo.live',
    api_url: 'https://open-api.trovo.live',
    scopes: ['user_details_self'],
    integration_scopes: ['chat_send_self', 'send_to_my_channel', 'manage_messages'],
  },
  steam: {
    auth_url: 'https://steamcommunity.com',
    api_url: 'https://api.steampowered.com',
    scopes: [],
    integration_scopes: [],
  },
};

const baseUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));

const scopeList = z.array(z.string().regex(/^[\x21-\x7e]+$/, 'a scope has no spaces')).max(50);

function providerSchema(id: SocialPlatformId) {
  const d = SOCIAL_PROVIDER_DEFAULTS[id];
  return z.strictObject({
    /** Off by default: on once the operator registered Heimdall at the provider (docs/social-login.md). */
    enabled: z.boolean().default(false),
    client_id: z.string().default(''),
    /** For Steam: the Steam Web API key (profiles are read with it). */
    client_secret: z.string().default(''),
    scopes: scopeList.default(d.scopes),
    integration_scopes: scopeList.default(d.integration_scopes),
    auth_url: baseUrl.default(d.auth_url),
    api_url: baseUrl.default(d.api_url),
  });
}

export type SocialProviderConfig = z.output<ReturnType<typeof providerSchema>>;

const providers = Object.fromEntries(
  SOCIAL_PLATFORM_IDS.map((id) => [id, providerSchema(id).default(providerSchema(id).parse({}))]),
) as { [K in SocialPlatformId]: z.ZodDefault<ReturnType<typeof providerSchema>> };

export const socialSchema = z.strictObject({
  /** Refresh stored platform tokens this many seconds before they expire (the scheduler's refresh job). */
  refresh_ahead_seconds: z.number().int().min(30).default(600),
  /** When the refresh job runs (cron, UTC). */
  refresh_cron: z.string().min(1).default('*/5 * * * *'),
  ...providers,
});

export type SocialConfig = z.output<typeof socialSchema>;

/** Config paths of the providers' secrets, redacted by `heimdall config`. */
export const SOCIAL_SECRET_PATHS = SOCIAL_PLATFORM_IDS.map((id) => `social.${id}.client_secret`);

/** Who a person is at a provider, as its profile says. */
export interface PlatformProfile {
  /** The provider's stable user id (Steam: the 64-bit SteamID). */
  id: string;
  /** The login name at the provider. */
  username: string;
  displayName?: string | undefined;
  avatarUrl?: string | undefined;
  email?: string | undefined;
  /** Whether the provider says it checked the address; false when it says nothing. */
  emailVerified: boolean;
  /**
   * Google: the YouTube channel of the account, read when a YouTube scope was granted (YouTube's live chat names
   * its authors by channel). Null: the account has none; undefined: not asked, or YouTube could not be read, so
   * whatever was stored stays.
   */
  youtubeChannelId?: string | null | undefined;
}

/** Tokens a provider gave (Steam gives none). */
export interface PlatformTokenSet {
  accessToken: string;
  refreshToken?: string | undefined;
  /** When the access token stops working; undefined when the provider does not say (GitHub OAuth apps). */
  expiresAt?: Date | undefined;
  /** What the token may do, as the provider granted it. */
  scopes: string[];
  tokenType: string;
}

/**
 * The permission a caller needs to be handed a person's token for a platform (`GET /v1/integrations/{platform}/token`):
 * the platform's own read permission where the permission list has one, else `integrations:read`.
 */
export const TOKEN_PERMISSION: Record<Exclude<SocialPlatformId, 'steam'>, string> = {
  twitch: 'twitch:read',
  google: 'youtube:read',
  discord: 'discord:read',
  github: 'integrations:read',
  kick: 'integrations:read',
  trovo: 'integrations:read',
};

export const TOKEN_STATUSES = ['none', 'valid', 'invalid'] as const;

/** A linked sign-in method as its owner and administrators see it: never a password hash or a token. */
export const linkedAccountSchema = z.object({
  id: z.uuid(),
  platform_id: z.string().describe('email, twitch, discord, github, google, kick, steam or trovo'),
  platform_name: z.string(),
  platform_user_id: z.string().describe("The account's id at the platform (for email: the address)"),
  username: z.string(),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  email: z.string().nullable(),
  email_verified: z.boolean(),
  is_primary: z.boolean().describe('Supplies the profile and email claims'),
  token_status: z
    .enum(TOKEN_STATUSES)
    .describe('none: no platform token kept; invalid: the platform refused a refresh, link it again'),
  token_scopes: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type LinkedAccountRecord = z.infer<typeof linkedAccountSchema>;

/** What `GET /v1/integrations/{platform}/token` hands a bot. */
export const platformTokenSchema = z.object({
  platform: z.string(),
  user_id: z.uuid(),
  platform_user_id: z.string(),
  access_token: z.string(),
  token_type: z.string(),
  scopes: z.array(z.string()),
  expires_at: z.string().nullable(),
});
export type PlatformTokenRecord = z.infer<typeof platformTokenSchema>;

/** A person's sign-in methods (`GET /v1/user/accounts`, `GET /v1/users/{id}/accounts`): few, so never paged. */
export const linkedAccountListSchema = z.object({ data: z.array(linkedAccountSchema) });

export const platformTokenParams = z.object({
  platform: z.string().max(64).describe('twitch, google (or youtube), discord, github, kick or trovo'),
});

export const platformTokenQuery = z.strictObject({
  user_id: z.uuid('Must be a UUID.').describe('The person the bot acts for'),
});

/**
 * The permission a caller needs to ask about a platform's people (a bot checking who may run a command): the
 * platform's own read permission where the permission list has one, else `integrations:read`.
 */
export const platformPermission = (platform: SocialPlatformId): string =>
  platform === 'steam' ? 'integrations:read' : TOKEN_PERMISSION[platform];

export const platformCheckQuery = z.strictObject({
  platform_user_id: z
    .string()
    .min(1)
    .max(200)
    .describe("The person's id at the platform (a Discord user id, a Twitch user id…)"),
  permission: permissionName.describe('The Heimdall permission to check, `resource:action`'),
});

/** Whether a platform's user may do something in Heimdall: through the Heimdall account they linked, if any. */
export const platformCheckSchema = z.object({
  platform: z.string(),
  platform_user_id: z.string(),
  permission: z.string(),
  linked: z.boolean().describe('The platform account is linked to a Heimdall user'),
  user_id: z.uuid().nullable(),
  username: z.string().nullable(),
  allowed: z.boolean(),
  two_factor_session_required: z
    .boolean()
    .describe(
      "A role of theirs requires 2FA: Heimdall allows it only in sessions that passed it; the bot decides what the platform's sign-in is worth",
    ),
  reason: z
    .enum([...EXPLANATION_REASONS, 'not_linked'])
    .describe('Why: as GET /v1/permissions/explain says it, or not_linked'),
});
export type PlatformCheck = z.infer<typeof platformCheckSchema>;
