/* eslint-disable @typescript-eslint/no-explicit-any -- test responses are asserted field by field */
import type { Knex } from 'knex';
import { generateApiKey } from '../../core/auth/api-key-token.js';
import { uniqueName } from './services.js';
import { createSecretBox } from '../../core/crypto/secret-box.js';
import { newTotpSecret } from '../../core/two-factor/totp.js';
import { TEST_ENCRYPTION_KEY } from './platform.js';

/** Direct inserts for test set-up; what is under test always goes through the real interface. */
export async function createUser(
  db: Knex,
  options: { username?: string; roleIds?: string[]; twoFactor?: boolean } = {},
): Promise<string> {
  const [user] = await db('User')
    .insert({ username: options.username ?? uniqueName('user').replaceAll('_', '-').slice(0, 30) })
    .returning<{ id: string }[]>('id');
  const id = user!.id;
  if (options.roleIds?.length)
    await db('UserRole').insert(options.roleIds.map((role_id) => ({ user_id: id, role_id })));
  if (options.twoFactor) {
    // An enrolment as the real flow leaves it: a sealed TOTP secret (test key), enabled.
    await db('UserTwoFactor').insert({
      user_id: id,
      secret_encrypted: createSecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64')).seal(
        newTotpSecret(),
        `totp:${id}`,
      ),
      enabled: true,
      enabled_at: new Date(),
    });
  }
  return id;
}

export interface TestKey {
  id: string;
  key: string;
}

export async function createKey(
  db: Knex,
  options: {
    userId?: string | null;
    roleIds?: string[];
    scopes?: string[];
    isActive?: boolean;
    isSystem?: boolean;
    expiresAt?: Date;
    name?: string;
  } = {},
): Promise<TestKey> {
  const secret = generateApiKey();
  const [row] = await db('ApiKey')
    .insert({
      key_hash: secret.hash,
      key_prefix: secret.prefix,
      name: options.name ?? 'test key',
      user_id: options.userId ?? null,
      scopes: options.scopes ?? ['*'],
      is_active: options.isActive ?? true,
      is_system: options.isSystem ?? false,
      expires_at: options.expiresAt ?? null,
    })
    .returning<{ id: string }[]>('id');
  if (options.roleIds?.length) {
    await db('ApiKeyRole').insert(options.roleIds.map((role_id) => ({ api_key_id: row!.id, role_id })));
  }
  return { id: row!.id, key: secret.key };
}

/** fetch with a Bearer key and JSON body; returns status and parsed body. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  // A Blob goes as it is, its type as Content-Type (an upload); anything else as JSON.
  const raw = options.body instanceof Blob;
  if (options.body !== undefined && !raw) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: raw
      ? (options.body as Blob)
      : options.body === undefined
        ? undefined
        : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? parsed(text) : undefined, headers: res.headers };
}

/** JSON answers parsed; anything else (an image) as its text. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A valid 1×1 transparent PNG: the smallest real image an avatar upload accepts. */
export const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** `ONE_PIXEL_PNG` as a body `call` uploads as image/png. */
export const pngBody = (bytes: Buffer = ONE_PIXEL_PNG) =>
  new Blob([new Uint8Array(bytes)], { type: 'image/png' });

/**
 * A sign-in method of a user, as sign-up and linking leave it: an email account with a password (so it signs in
 * on its own), or an account on `platform`; `primary` makes it the user's primary. Answers its id.
 */
export async function createLinkedAccount(
  db: Knex,
  userId: string,
  options: { platform?: string; primary?: boolean; email?: string } = {},
): Promise<string> {
  const platform = options.platform ?? 'email';
  const name = uniqueName(platform).toLowerCase();
  const email = options.email ?? `${name}@example.test`;
  const [row] = await db('PlatformAccount')
    .insert({
      user_id: userId,
      platform_id: platform,
      platform_user_id: platform === 'email' ? email : name,
      username: name.slice(0, 30),
      display_name: platform === 'email' ? null : `${platform} ${name}`,
      email,
      email_verified_at: new Date(),
      password_hash: platform === 'email' ? '$argon2id$v=19$m=19456,t=2,p=1$fixture$fixture' : null,
    })
    .returning<{ id: string }[]>('id');
  if (options.primary)
    await db('User').where({ id: userId }).update({ primary_platform_account_id: row!.id });
  return row!.id;
}

/**
 * A person with an email account (primary, with a password), Twitch and Discord, and an API key of theirs with
 * every scope: what the sign-in methods suites act on.
 */
export async function createPersonWithAccounts(db: Knex) {
  const userId = await createUser(db, { roleIds: ['role_user'] });
  const email = await createLinkedAccount(db, userId, { primary: true });
  const twitch = await createLinkedAccount(db, userId, { platform: 'twitch' });
  const discord = await createLinkedAccount(db, userId, { platform: 'discord' });
  const key = (await createKey(db, { userId, roleIds: ['role_api_full_access'] })).key;
  return { userId, key, email, twitch, discord };
}
