import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { copyAuditRows, type AuditRow } from '../core/audit/rows.js';
import { hashPassword } from '../core/auth/passwords.js';
import type { SecretBox } from '../core/crypto/secret-box.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../core/db/embedded.js';
import { newTotpSecret } from '../core/two-factor/totp.js';
import { createUserQueries } from '../core/users/queries.js';
import type { AuditEventType } from '../schemas/audit.js';
import type { Config } from '../schemas/config.js';
import { ROLE_IDS } from '../schemas/roles.js';

/**
 * The admin panel benchmark's data (bench/admin.ts): a database server, fresh databases per data size, users
 * seeded in a few set-based statements, audit events written the way the audit writer writes a fresh batch
 * (core/audit/rows.ts `copyAuditRows`, so whatever that path keeps beside the events is kept for these too), and a
 * super admin with a password and an authenticator app to sign in with.
 */

/** What every username of a search case contains: `SEARCH_MATCHES` users of each data size, no others. */
export const SEARCH_TERM = 'zephyrine';
export const SEARCH_MATCHES = 5;

/** A PostgreSQL server that databases can be created on: the configured one, or the embedded one. */
export interface DatabaseServer {
  /** The URL of `database` on this server. */
  url(database: string): string;
  /** The name the bench's databases start with (the configured database's, or `heimdall`). */
  base: string;
  /** Creates `database`, empty or as a copy of `template` (which nothing may be connected to). */
  create(database: string, template?: string): Promise<void>;
  drop(database: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabaseServer(config: Config): Promise<DatabaseServer> {
  let embedded: EmbeddedServer | undefined;
  let configured = config.database.url;
  if (!configured) {
    embedded = await startEmbeddedPostgres({
      dir: path.resolve(config.data_dir, config.database.embedded.dir),
      port: config.database.embedded.port,
    });
    configured = embedded.url;
  }
  const at = (database: string) => {
    const url = new URL(configured);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const base = decodeURIComponent(new URL(configured).pathname.slice(1)) || 'heimdall';
  const maintenance = async (sql: string) => {
    const client = new pg.Client({ connectionString: at('postgres') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return {
    url: at,
    base,
    create: (database, template) =>
      maintenance(`CREATE DATABASE ${quoted(database)}${template ? ` TEMPLATE ${quoted(template)}` : ''}`),
    drop: (database) => maintenance(`DROP DATABASE IF EXISTS ${quoted(database)} WITH (FORCE)`),
    close: async () => {
      await embedded?.stop();
    },
  };
}

// Names people have, so that usernames and emails look like a real user base (and share trigrams as real ones
// do); none contains SEARCH_TERM.
const FIRST = [
  'anna', 'ben', 'carla', 'david', 'elif', 'femi', 'greta', 'hugo', 'ines', 'jonas', 'kira', 'liam',
  'mara', 'noah', 'olga', 'pablo', 'quinn', 'rosa', 'sven', 'tara', 'umar', 'vera', 'wei', 'xenia',
  'yusuf', 'zoe', 'amir', 'bea', 'chen', 'dana', 'emil', 'fatma', 'gil', 'hana', 'ivan', 'jana',
  'kemal', 'lena', 'malik', 'nina', 'oscar', 'priya', 'rafael', 'sara', 'timo', 'ulla', 'viktor', 'yara',
]; // prettier-ignore
const LAST = [
  'andersson', 'becker', 'costa', 'dubois', 'eriksen', 'fischer', 'garcia', 'hansen', 'ivanova', 'jensen',
  'kowalski', 'larsen', 'martin', 'nowak', 'okafor', 'petrov', 'quispe', 'rossi', 'schmidt', 'tanaka',
  'urban', 'vogel', 'weber', 'xu', 'yilmaz', 'zimmer', 'alvarez', 'brown', 'cohen', 'dahl', 'ek', 'fontaine',
  'gruber', 'horvat', 'ito', 'jovanovic', 'kim', 'lopez', 'moreau', 'nagy', 'olsen', 'park', 'reyes', 'silva',
  'torres', 'virtanen', 'wagner', 'young', 'zhang', 'berg',
]; // prettier-ignore
const DOMAINS = [
  'example.com',
  'mail.example',
  'post.example.org',
  'inbox.example.net',
  'example.de',
  'web.example',
];

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * Ids derived from a name, random-looking as gen_random_uuid()'s are and valid version-4 UUIDs (the API's schemas
 * check): an md5 with its version and variant digits set. The same in SQL and here, so that rows can name
 * generated users without reading them back.
 */
const uuidSql = (name: string) =>
  `overlay(overlay(md5(${name}) placing '4' from 13) placing '8' from 17)::uuid`;
const BENCH_USER = 'heimdall-bench-user-';
/** The id of generated user number `i` (1-based). */
export function benchUserId(i: number): string {
  const hex = createHash('md5').update(`${BENCH_USER}${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * `count` users, with the spread of a real user base: created over three years, 70% signed in within 90 days,
 * 1% deleted, 90% with a verified email; an email account each and a Discord account for 15%; everyone User,
 * 2% Developer, 1% Moderator, 0.1% Admin; 2% banned now (half for good, half until a date), 1% whose ban was
 * lifted and 1% whose ban ran out; 2FA for 12.5% and for every role that requires it; a session for 20%.
 * SEARCH_MATCHES of them (spread through the set) have usernames and emails with SEARCH_TERM.
 */
export async function seedUsers(db: Knex, count: number): Promise<void> {
  if (count < SEARCH_MATCHES) throw new Error(`at least ${SEARCH_MATCHES} users`);
  // A user and their email account in one statement: each row names the other, and PostgreSQL checks both
  // foreign keys when the statement ends.
  await db.raw(
    `WITH src AS MATERIALIZED (
       SELECT i,
              ${uuidSql(`'${BENCH_USER}' || i`)} AS user_id,
              ${uuidSql(`'heimdall-bench-email-' || i`)} AS account_id,
              i % (?::int / ${SEARCH_MATCHES}) = 0 AS found,
              (${sqlArray(FIRST)})[1 + i % ${FIRST.length}] AS first,
              (${sqlArray(LAST)})[1 + (i / ${FIRST.length}) % ${LAST.length}] AS last,
              (${sqlArray(DOMAINS)})[1 + (i / 7) % ${DOMAINS.length}] AS domain,
              now() - random() * interval '1095 days' AS created_at,
              random() AS r
         FROM generate_series(1, ?::int) AS i
     ), named AS (
       SELECT *, CASE WHEN found THEN '${SEARCH_TERM}' ELSE first END || '.' || last || i AS name FROM src
     ), users AS (
       INSERT INTO "User" (id, username, primary_platform_account_id, preferred_locale, created_at, updated_at,
                           last_login_at, deleted_at)
       SELECT user_id, name, account_id, (ARRAY['en', 'de', 'fr', 'es'])[1 + i % 4], created_at, created_at,
              CASE WHEN r < 0.7 THEN greatest(created_at, now() - random() * interval '90 days') END,
              -- Never one of those the search finds: it should find all SEARCH_MATCHES.
              CASE WHEN r > 0.99 AND NOT found THEN created_at + (now() - created_at) * random() END
         FROM named
     )
     INSERT INTO "PlatformAccount" (id, platform_id, platform_user_id, username, email, password_hash,
                                    email_verified_at, user_id, created_at, updated_at)
     SELECT account_id, 'email', name || '@' || domain, name, name || '@' || domain, ?,
            CASE WHEN r < 0.9 THEN created_at END, user_id, created_at, created_at
       FROM named`,
    // One real hash for everyone: these people never sign in, but their rows should weigh what real ones do.
    [count, count, await hashPassword(randomUUID())],
  );
  const each = (where: string, select: string) =>
    `SELECT ${select} FROM generate_series(1, ${Number(count)}) AS i WHERE ${where}`;
  const user = uuidSql(`'${BENCH_USER}' || i`);
  await db.raw(`
    INSERT INTO "PlatformAccount" (platform_id, platform_user_id, username, user_id, created_at)
      ${each('i % 20 IN (4, 13, 17)', `'discord', (100000000000000000 + i * 7919)::text, 'd' || i, ${user}, now() - random() * interval '700 days'`)};
    INSERT INTO "UserRole" (user_id, role_id)
      ${each('true', `${user}, '${ROLE_IDS.user}'`)}
      UNION ALL ${each('i % 50 = 11', `${user}, '${ROLE_IDS.developer}'`)}
      UNION ALL ${each('i % 100 = 3', `${user}, '${ROLE_IDS.moderator}'`)}
      UNION ALL ${each('i % 1000 = 17', `${user}, '${ROLE_IDS.admin}'`)};
    INSERT INTO "UserBan" (user_id, reason, banned_by, created_at, expires_at, lifted_at, lifted_by)
      ${each('i % 100 IN (5, 55)', `${user}, 'Spam', 'user:bench', now() - interval '3 days', CASE WHEN i % 100 = 55 THEN now() + interval '30 days' END, NULL, NULL`)}
      UNION ALL ${each('i % 100 = 9', `${user}, 'Harassment', 'user:bench', now() - interval '60 days', NULL, now() - interval '20 days', 'user:bench'`)}
      UNION ALL ${each('i % 100 = 19', `${user}, 'Cool-down', 'user:bench', now() - interval '30 days', now() - interval '1 day', NULL, NULL`)};
    INSERT INTO "UserTwoFactor" (user_id, secret_encrypted, enabled, enabled_at)
      ${each('i % 8 = 1 OR i % 50 = 11 OR i % 100 = 3 OR i % 1000 = 17', `${user}, 'bench: never opened', true, now() - random() * interval '300 days'`)};
    INSERT INTO "Session" (user_id, session_token, expires, ip_address, user_agent, provider, created_at)
      ${each('i % 5 = 2', `${user}, md5('heimdall-bench-session-' || i), now() + (random() * 60 - 30) * interval '1 day', '203.0.113.' || (i % 250), 'Mozilla/5.0 (bench)', 'email', now() - random() * interval '30 days'`)};
  `);
}

// Audit events: mostly sign-ins, some failed, and the other things a platform records, from a few countries.
const EVENT_MIX: readonly [AuditEventType, number][] = [
  ['login', 40],
  ['login_failed', 10],
  ['token_created', 18],
  ['session_created', 10],
  ['logout', 8],
  ['2fa_verified', 5],
  ['user_updated', 4],
  ['user_created', 2],
  ['password_changed', 1],
  ['api_key_created', 1],
  ['role_assigned', 1],
];
const PLACES: readonly [code: string | null, name: string | null, city: string | null, weight: number][] = [
  ['DE', 'Germany', 'Berlin', 28],
  ['US', 'United States', 'Chicago', 24],
  ['GB', 'United Kingdom', 'London', 10],
  ['FR', 'France', 'Paris', 9],
  ['SE', 'Sweden', 'Stockholm', 6],
  ['BR', 'Brazil', 'São Paulo', 6],
  ['JP', 'Japan', 'Tokyo', 5],
  ['IN', 'India', 'Mumbai', 4],
  [null, null, null, 8],
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'heimdall-bot/2.1',
];

/** A picker over weighted choices, driven by a number in [0, 1). */
function weighted<T>(choices: readonly T[], weight: (c: T) => number): (x: number) => T {
  const total = choices.reduce((sum, c) => sum + weight(c), 0);
  let sum = 0;
  const bounds = choices.map((c) => (sum += weight(c) / total));
  return (x) => choices[bounds.findIndex((b) => x < b)] ?? choices[choices.length - 1]!;
}

/**
 * `count` audit events over the last 7 days, in the order they happened, about the first `users` generated
 * users: written with copyAuditRows in batches of 20,000.
 */
export async function seedAuditEvents(db: Knex, count: number, users: number): Promise<void> {
  const type = weighted(EVENT_MIX, (e) => e[1]);
  const place = weighted(PLACES, (p) => p[3]);
  const ids = Array.from({ length: Math.max(1, users) }, (_, i) => benchUserId(i + 1));
  const end = Date.now() - 60_000;
  const span = 7 * 24 * 3600_000 - 120_000;
  const BATCH = 20_000;
  for (let first = 0; first < count; first += BATCH) {
    const rows: AuditRow[] = [];
    for (let i = first; i < Math.min(count, first + BATCH); i += 1) {
      const eventType = type(Math.random())[0];
      const [country, countryName, city] = place(Math.random());
      const userId = ids[Math.floor(Math.random() * ids.length)]!;
      const failed = eventType === 'login_failed';
      const at = end - span + Math.floor(((i + Math.random()) / count) * span);
      rows.push({
        id: randomUUID(),
        created_at: new Date(at).toISOString(),
        event_type: eventType,
        user_id: userId,
        actor_id: userId,
        resource_type: eventType.startsWith('login') ? null : 'user',
        resource_id: eventType.startsWith('login') ? null : userId,
        ip_address: `${(i % 200) + 20}.${(i >> 8) & 255}.${i & 255}.${(i % 250) + 1}`,
        user_agent: AGENTS[i % AGENTS.length]!,
        description: null,
        metadata: failed ? '{"reason":"wrong_password"}' : '{"client_id":"heimdall-admin"}',
        status: failed ? 'failure' : 'success',
        error_message: failed ? 'invalid_credentials' : null,
        source_service: 'id',
        is_reported: false,
        country_code: country,
        country_name: countryName,
        city,
        region: null,
      });
    }
    await copyAuditRows(db, rows);
  }
}

/** Statistics as autovacuum would have them on a database that grew to this size. */
export const analyze = (db: Knex) => db.raw('VACUUM ANALYZE');

export interface PanelAdmin {
  email: string;
  password: string;
  totp: string;
}

/** A super admin with a password and an authenticator app (the role requires 2FA), sealed with the platform's key. */
export async function createPanelAdmin(db: Knex, box: SecretBox): Promise<PanelAdmin> {
  const queries = createUserQueries(db);
  const username = `bench-admin-${Date.now().toString(36)}`;
  const email = `${username}@example.test`;
  const password = 'correct horse battery staple';
  const id = await queries.insertUser({ username });
  await queries.insertUserRole(id, ROLE_IDS.superAdmin);
  const account = await queries.insertEmailAccount({
    user_id: id,
    email,
    username,
    password_hash: await hashPassword(password),
    email_verified_at: new Date(),
  });
  await queries.setPrimaryAccount(id, account);
  const totp = newTotpSecret();
  await db('UserTwoFactor').insert({
    user_id: id,
    secret_encrypted: box.seal(totp, `totp:${id}`),
    enabled: true,
    enabled_at: new Date(),
  });
  return { email, password, totp };
}
