import { z } from 'zod';
import { SOCIAL_SECRET_PATHS, socialSchema } from './social.js';
import { parseAllowedEntry } from './oauth-clients.js';
import { keyPrefixProblem, redisDatabase } from './redis-namespace.js';
import type { PolicyPage } from './policies.js';

/**
 * The one schema for Heimdall's merged configuration.
 * Keys are snake_case as written in TOML; `HEIMDALL__SECTION__KEY` env vars address the same paths.
 * Every object is strict so that a misspelt key is an error, not a silently ignored setting.
 */

/** An empty string means "not configured", so an env var can switch a URL off (`HEIMDALL__REDIS__URL=`). */
const optionalUrl = z
  .union([z.literal(''), z.url({ protocol: /^(postgres|postgresql|redis|rediss)$/ })])
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const cronExpression = z
  .string()
  .regex(/^\S+(\s+\S+){4,5}$/, 'expected a cron expression of 5 or 6 fields, e.g. "17 3 * * *"');

const serverSchema = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(3000),
  public_url: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  /** Express `trust proxy`: false, true, or the number of proxy hops in front of Heimdall. */
  trust_proxy: z.union([z.boolean(), z.number().int().min(0)]).default(false),
  cors_origins: z.array(z.string().min(1)).default([]),
  shutdown_timeout_ms: z.number().int().min(0).default(10_000),
  /** Serve Swagger UI at /docs/api (the OpenAPI document and the documentation site at /docs always are). */
  api_docs: z.boolean().default(true),
});

const databaseSchema = z.strictObject({
  url: optionalUrl,
  pool_min: z.number().int().min(0).default(0),
  pool_max: z.number().int().min(1).default(10),
  embedded: z
    .strictObject({
      /** Relative paths resolve against `data_dir`. */
      dir: z.string().min(1).default('postgres'),
      port: z.number().int().min(1).max(65535).default(54329),
    })
    .default({ dir: 'postgres', port: 54329 }),
});

const auditSchema = z.strictObject({
  database: z.strictObject({ url: optionalUrl }).default({ url: undefined }),
  retention_days: z.number().int().min(1).default(365),
  compression_after_days: z.number().int().min(1).default(30),
  chunk_interval_days: z.number().int().min(1).default(7),
  partitions_ahead_weeks: z.number().int().min(1).max(52).default(4),
  /** Events per INSERT, and the longest an event waits in memory before its batch is written (ms). */
  batch_size: z.number().int().min(1).max(10_000).default(500),
  flush_interval_ms: z.number().int().min(1).max(60_000).default(200),
  /** Events queued in memory at most; beyond it they go straight to the spool (nothing is dropped). */
  max_buffered: z.number().int().min(100).default(50_000),
  /** Where events wait while the audit database is unreachable, relative to data_dir. */
  spool_dir: z.string().min(1).default('audit-spool'),
  /**
   * When the housekeeping job runs (cron, UTC): on plain PostgreSQL it creates the coming weeks' partitions and
   * drops those past retention; on TimescaleDB it brings the retention and compression policies in line with
   * this config. It also runs once when the scheduler starts.
   */
  housekeeping_cron: cronExpression.default('17 3 * * *'),
});

const geoipSchema = z.strictObject({
  /** A GeoLite2-City or GeoIP2-City `.mmdb` file. Unset or empty: no GeoIP enrichment. */
  database: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined)),
  /** How often to look for a replaced database file (ms); 0 never looks. */
  check_interval_ms: z.number().int().min(0).default(60_000),
});

const graphqlSchema = z.strictObject({
  /** Serve /api/graphql (and its subscriptions). */
  enabled: z.boolean().default(true),
  /** Schema introspection; off in production (config/production.toml). */
  introspection: z.boolean().default(true),
  /** The GraphQL sandbox page on GET /api/graphql from a browser; off in production. */
  playground: z.boolean().default(true),
  /** Deepest selection a query may nest. */
  max_depth: z.number().int().min(2).max(50).default(10),
  /** Most fields a query may ask for, lists counted at their page size. */
  max_cost: z.number().int().min(100).default(20_000),
  /** Largest page (`take`) of any list. */
  max_page_size: z.number().int().min(1).max(1000).default(100),
});

/** Deployments sharing a Redis server are told apart by database and key prefix (schemas/redis-namespace.ts). */
const redisSchema = z
  .strictObject({
    url: optionalUrl,
    key_prefix: z.string().default('heimdall:'),
  })
  .superRefine((redis, ctx) => {
    const prefixProblem = keyPrefixProblem(redis.key_prefix);
    if (prefixProblem) ctx.addIssue({ code: 'custom', path: ['key_prefix'], message: prefixProblem });
    // A URL that does not parse is already reported by its own check.
    const database =
      redis.url === undefined || !URL.canParse(redis.url) ? undefined : redisDatabase(redis.url);
    if (database && 'problem' in database) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: database.problem });
    }
  });

/** Brute-force protection of sign-in: counted per account and per IP address. */
const signInSchema = z.strictObject({
  /** Failed attempts on one account (email) within the window before it is locked. */
  max_failures_per_account: z.number().int().min(1).default(10),
  /** Failed attempts from one IP address within the window before it is locked. */
  max_failures_per_ip: z.number().int().min(1).default(100),
  window_seconds: z.number().int().min(1).default(900),
  lockout_seconds: z.number().int().min(1).default(900),
  /** Failures on an account before each further attempt is slowed down (0.5 s, doubling, up to 8 s). */
  delay_after: z.number().int().min(0).default(3),
});

const authSchema = z.strictObject({
  /** How long a node may reuse a resolved credential; changes are also pushed to every node at once. */
  cache_ttl_ms: z.number().int().min(0).max(300_000).default(10_000),
  sign_in: signInSchema.default(signInSchema.parse({})),
});

const rateLimitTier = z.strictObject({
  /** Requests per window for GET/HEAD/OPTIONS. */
  read: z.number().int().min(1),
  /** Requests per window for everything else (stricter: writes cost more and do more harm). */
  write: z.number().int().min(1),
});

const rateLimitSchema = z.strictObject({
  enabled: z.boolean().default(true),
  window_seconds: z.number().int().min(1).max(3600).default(60),
  /**
   * Requests with a credential that is refused (401) per IP address and window, counted apart from the tiers:
   * guessing keys costs a lookup each, and a wrong key must not escape the limits an anonymous caller has.
   */
  failed_auth: z.number().int().min(1).default(20),
  tiers: z
    .strictObject({
      /** Callers without a credential, limited per IP address. */
      anonymous: rateLimitTier.default({ read: 60, write: 10 }),
      /** Users and API keys without an elevated role. */
      standard: rateLimitTier.default({ read: 600, write: 120 }),
      /** Super admins and keys with full access (automation, bots). */
      elevated: rateLimitTier.default({ read: 6000, write: 1200 }),
    })
    .default({
      anonymous: { read: 60, write: 10 },
      standard: { read: 600, write: 120 },
      elevated: { read: 6000, write: 1200 },
    }),
});

/** Secrets Heimdall keeps at rest (signing keys now; TOTP seeds and provider tokens later) use this key. */
const secretsSchema = z.strictObject({
  /**
   * 32 random bytes, base64 or hex (`openssl rand -base64 32`). Unset: one is generated on first start and kept
   * in data_dir/secret.key, which suits a single node; every node of a cluster needs the same configured key.
   */
  encryption_key: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || decodedKeyLength(v) === 32,
      'expected 32 bytes, base64 or hex encoded (openssl rand -base64 32)',
    ),
  /**
   * Keys used before `encryption_key` (key rotation): what they sealed still opens, and the scheduler seals
   * stored provider tokens again with the current key. Drop a key once nothing sealed with it is left.
   */
  previous_encryption_keys: z
    .array(z.string().refine((v) => decodedKeyLength(v) === 32, 'expected 32 bytes, base64 or hex encoded'))
    .default([]),
});

function decodedKeyLength(value: string): number {
  if (/^[0-9a-f]{64}$/i.test(value)) return 32;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64').length : 0;
}

const seconds = (fallback: number) => z.number().int().min(1).default(fallback);

/**
 * Wrong user codes on the device verification page (RFC 8628 §5.1), counted per IP address: past the maximum
 * within the window, entries from that address are refused until the window ends.
 */
const deviceUserCodeSchema = z.strictObject({
  max_wrong_per_ip: z.number().int().min(1).default(10),
  window_seconds: seconds(900),
});

/** Back-channel logout delivery (OpenID Connect Back-Channel Logout 1.0 §2.5). */
const backchannelLogoutSchema = z.strictObject({
  /**
   * Loopback, private and special-use addresses Heimdall may call anyway, for apps on a private network: IP
   * addresses, CIDR ranges (`10.0.0.0/8`) or host names (every address such a name resolves to is allowed).
   */
  allowed_private: z
    .array(
      z
        .string()
        .refine(
          (entry) => parseAllowedEntry(entry) !== undefined,
          'An IP address, a CIDR range or a host name.',
        ),
    )
    .default([]),
});

/** Heimdall ID, the OpenID provider at /oidc. */
const oidcSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * The resource indicator (RFC 8707) of the Heimdall API: access tokens requested for it are JWTs (RFC 9068)
   * with it as audience, accepted by REST, GraphQL and realtime. Empty: public_url + "/v1".
   */
  api_resource: z.string().default(''),
  /** client_ids that never ask for consent (your own apps), besides clients marked first-party. */
  first_party_clients: z.array(z.string().min(1)).default([]),
  /** Lifetimes in seconds. */
  access_token_ttl: seconds(900),
  refresh_token_ttl: seconds(14 * 24 * 3600),
  id_token_ttl: seconds(3600),
  grant_ttl: seconds(30 * 24 * 3600),
  device_code_ttl: seconds(600),
  client_credentials_ttl: seconds(900),
  device_user_code: deviceUserCodeSchema.default(deviceUserCodeSchema.parse({})),
  backchannel_logout: backchannelLogoutSchema.default(backchannelLogoutSchema.parse({})),
  /** When the job that deletes expired OIDC rows runs (cron, UTC). */
  cleanup_cron: cronExpression.default('*/15 * * * *'),
  /** How often a node looks for rotated signing keys (ms). */
  key_check_interval_ms: z.number().int().min(1000).default(60_000),
});

/** Heimdall sessions (the Session table): one per sign-in, in an app-specific cookie. */
const sessionsSchema = z.strictObject({
  /** How long a session lasts without `POST /v1/auth/refresh` (seconds); the ID sign-in session as well. */
  ttl: seconds(14 * 24 * 3600),
  /** Cookie names per app, so one app's session is never sent to another. */
  cookie_names: z
    .strictObject({
      id: z
        .string()
        .regex(/^[\w.-]+$/)
        .default('id.session-token'),
      backend: z
        .string()
        .regex(/^[\w.-]+$/)
        .default('backend.session-token'),
      policies: z
        .string()
        .regex(/^[\w.-]+$/)
        .default('policies.session-token'),
    })
    .default({
      id: 'id.session-token',
      backend: 'backend.session-token',
      policies: 'policies.session-token',
    }),
});

/** Outgoing email (verification, password reset, security notices). */
const emailSchema = z.strictObject({
  /** smtp://user:pass@host:port or smtps://…; unset: emails are written to the log (development). */
  smtp_url: z
    .union([z.literal(''), z.url({ protocol: /^smtps?$/ })])
    .optional()
    .transform((v) => (v ? v : undefined)),
  from: z.string().min(3).default('Heimdall <no-reply@localhost>'),
});

/** Accounts: registration, email verification, password reset. */
const accountsSchema = z.strictObject({
  registration_enabled: z.boolean().default(true),
  /** May people sign in before they verified their email address? */
  allow_unverified_sign_in: z.boolean().default(false),
  /** How long a verification link works (seconds). */
  verification_ttl: seconds(24 * 3600),
  /** How long a password reset link works (seconds). */
  reset_ttl: seconds(3600),
  /** Verification and reset emails per address per hour. */
  emails_per_hour: z.number().int().min(1).default(5),
  /** Deprecated: `policies.urls.terms` and `policies.urls.privacy` win over these when set. */
  terms_url: z.string().min(1).default('/policies/terms'),
  privacy_url: z.string().min(1).default('/policies/privacy'),
  /** Shortest password accepted. */
  min_password_length: z.number().int().min(8).max(128).default(12),
  /** Days between a person's request to delete their account and its purge (they may cancel until then). */
  deletion_grace_days: z.number().int().min(1).max(365).default(30),
  /** When the scheduler purges the accounts whose grace period has ended (cron, UTC). */
  deletion_purge_cron: z.string().min(1).default('23 * * * *'),
  /** When the scheduler deletes data exports past their 24 hours (and fails jobs of a process that died). */
  export_housekeeping_cron: z.string().min(1).default('*/10 * * * *'),
});

/** Where a policy page lives instead of the built-in one: an http(s) URL or a path on this host; empty: built-in. */
const policyUrl = z
  .union([
    z.literal(''),
    z.url({ protocol: /^https?$/ }),
    z.string().regex(/^\/(?![/\\])\S*$/, 'expected an http(s) URL or a path starting with one "/"'),
  ])
  .default('');

/** RFC 9116 Contact: how to reach whoever handles vulnerability reports. */
const securityContact = z
  .string()
  .refine(
    (v) => v === '' || /^mailto:[^@\s<>]+@[^@\s<>]+$/.test(v) || /^https:\/\/[^\s<>]+$/.test(v),
    'expected a mailto: or https: URI, e.g. "mailto:security@example.org"',
  )
  .default('');

const policyUrlsSchema = z.strictObject({
  privacy: policyUrl,
  terms: policyUrl,
  cookies: policyUrl,
  security: policyUrl,
  faq: policyUrl,
} satisfies Record<PolicyPage, typeof policyUrl>);

/** The policy pages at /policies (docs/policies.md) and /.well-known/security.txt. */
const policiesSchema = z.strictObject({
  /**
   * Markdown files that replace built-in pages (`privacy.md`, `privacy.de.md`, …). Relative paths resolve
   * against the configuration directory ($HEIMDALL_CONFIG_DIR or ./config).
   */
  dir: z.string().min(1).default('policies'),
  /** Contact of security.txt and the security page. Empty: mailto:security@ the host of server.public_url. */
  security_contact: securityContact,
  /** Pages kept elsewhere: /policies/<page> redirects there, and the pages that link a policy point there. */
  urls: policyUrlsSchema.default(policyUrlsSchema.parse({})),
});

/** The realtime WebSocket service (docs/realtime.md). */
const realtimeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  path: z
    .string()
    .regex(/^\/[\w./-]*$/)
    .default('/ws'),
  /** A connection must authenticate within this time (ms) or is closed with 4401. */
  auth_timeout_ms: z.number().int().min(100).default(5_000),
  /** The server pings every connection this often (ms); one that has not answered by the next ping is dropped. */
  heartbeat_ms: z.number().int().min(100).default(25_000),
  /** Largest frame a client may send (bytes); larger ones are refused with 1009. */
  max_frame_bytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  /** Bytes a connection may have waiting to be sent before it is dropped as a slow consumer (4001). */
  max_queue_bytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  max_subscriptions: z.number().int().min(1).default(100),
  /** Open connections per user (or per system API key) on one node; more are refused with 4429. */
  max_connections_per_user: z.number().int().min(1).default(50),
  /** Publications kept per channel for recovery after a reconnect: at most this many… */
  history_size: z.number().int().min(0).default(1000),
  /** …and none older than this (seconds). */
  history_ttl_seconds: z.number().int().min(1).default(3600),
  /**
   * How long a quiet channel keeps its epoch and offset (seconds). After that a new epoch starts and clients
   * that come back are told to resync.
   */
  meta_ttl_seconds: z
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3600),
});

/** The admin panel at /admin (AdminJS), signed in through Heimdall ID. */
const adminSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The panel's own OAuth client at Heimdall ID, provisioned at start-up. */
  client_id: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('heimdall-admin'),
  /** How long a panel session lasts after sign-in (seconds), however active; then Heimdall ID is asked again. */
  session_ttl: seconds(8 * 3600),
  /**
   * Map tiles for the GPS map, as a URL template (`https://tile.example.org/{z}/{x}/{y}.png`); the page allows
   * images from that origin. Empty: the map draws the points on a plain grid and loads nothing from elsewhere.
   */
  map_tile_url: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
});

/** A media type as `type/subtype`, or `type/*` for all of a type, lower case. */
const mediaTypePattern = z
  .string()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/, 'expected type/subtype or type/*');

/** An S3-compatible object store (AWS S3, MinIO, Ceph, R2, …) for the `s3` storage driver. */
const storageS3Schema = z.strictObject({
  /** Empty: AWS S3 of `region`. Otherwise the store's URL (`http://localhost:9000` for MinIO). */
  endpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().default(''),
  access_key_id: z.string().default(''),
  /** Secret: set it through HEIMDALL__STORAGE__S3__SECRET_ACCESS_KEY; `heimdall config` redacts it. */
  secret_access_key: z.string().default(''),
  /** `bucket` in the path rather than the host name (MinIO and most self-hosted stores need it). */
  force_path_style: z.boolean().default(false),
});

/** File storage (`/v1/storage`): where files go and what is accepted. */
const storageSchema = z
  .strictObject({
    /** `fs`: files under data_dir (no setup); `s3`: an S3-compatible object store. */
    driver: z.enum(['fs', 's3']).default('fs'),
    /** The fs driver's directory; relative paths resolve against data_dir. */
    dir: z.string().min(1).default('storage'),
    /** Largest file accepted, in bytes (checked while the upload streams in). */
    max_file_bytes: z
      .number()
      .int()
      .min(1)
      .default(100 * 1024 * 1024),
    /** Media types accepted; `type/*` accepts all of a type. */
    allowed_content_types: z
      .array(mediaTypePattern)
      .default([
        'image/png',
        'image/jpeg',
        'image/webp',
        'image/gif',
        'application/pdf',
        'text/plain',
        'text/csv',
        'application/json',
        'application/zip',
        'application/octet-stream',
      ]),
    /** Longest lifetime of a signed download URL (seconds); callers may ask for less. */
    signed_url_ttl_seconds: z.number().int().min(1).max(604800).default(300),
    s3: storageS3Schema.default(storageS3Schema.parse({})),
  })
  .refine((s) => s.driver !== 's3' || s.s3.bucket !== '', {
    message: 'storage.s3.bucket is required when storage.driver is s3',
    path: ['s3', 'bucket'],
  });

const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: one readable line per record on a terminal outside production, JSON otherwise. */
  format: z.enum(['auto', 'pretty', 'json']).default('auto'),
});

export const configSchema = z.strictObject({
  /** Where Heimdall keeps local state (embedded PostgreSQL, spools); relative to the working directory. */
  data_dir: z.string().min(1).default('.heimdall'),
  server: serverSchema.default(serverSchema.parse({})),
  database: databaseSchema.default(databaseSchema.parse({})),
  audit: auditSchema.default(auditSchema.parse({})),
  geoip: geoipSchema.default(geoipSchema.parse({})),
  graphql: graphqlSchema.default(graphqlSchema.parse({})),
  redis: redisSchema.default(redisSchema.parse({})),
  log: logSchema.default(logSchema.parse({})),
  auth: authSchema.default(authSchema.parse({})),
  rate_limit: rateLimitSchema.default(rateLimitSchema.parse({})),
  secrets: secretsSchema.default(secretsSchema.parse({})),
  oidc: oidcSchema.default(oidcSchema.parse({})),
  sessions: sessionsSchema.default(sessionsSchema.parse({})),
  email: emailSchema.default(emailSchema.parse({})),
  accounts: accountsSchema.default(accountsSchema.parse({})),
  policies: policiesSchema.default(policiesSchema.parse({})),
  realtime: realtimeSchema.default(realtimeSchema.parse({})),
  admin: adminSchema.default(adminSchema.parse({})),
  social: socialSchema.default(socialSchema.parse({})),
  storage: storageSchema.default(storageSchema.parse({})),
});

export type Config = z.output<typeof configSchema>;

/** Paths whose values are secrets or may carry credentials; `heimdall config` redacts them. */
export const secretConfigPaths: readonly string[] = [
  'database.url',
  'audit.database.url',
  'redis.url',
  'secrets.encryption_key',
  'secrets.previous_encryption_keys',
  'email.smtp_url',
  'storage.s3.secret_access_key',
  ...SOCIAL_SECRET_PATHS,
];
