import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { generateApiKey } from '../core/auth/api-key-token.js';

/**
 * A user with the User role (and `roleIds` besides) and a key of theirs with API Full Access (capped to the
 * owner), created once.
 */
export async function benchApiKey(
  db: Knex,
  options: { username?: string; roleIds?: string[] } = {},
): Promise<{ key: string }> {
  const username = options.username ?? `bench-${Date.now().toString(36)}`;
  const [user] = await db('User').insert({ username }).returning<{ id: string }[]>('id');
  await db('UserRole').insert(
    ['role_user', ...(options.roleIds ?? [])].map((role_id) => ({ user_id: user!.id, role_id })),
  );
  const secret = generateApiKey();
  const [key] = await db('ApiKey')
    .insert({
      key_hash: secret.hash,
      key_prefix: secret.prefix,
      name: 'bench',
      user_id: user!.id,
      scopes: ['*'],
    })
    .returning<{ id: string }[]>('id');
  await db('ApiKeyRole').insert({ api_key_id: key!.id, role_id: 'role_api_full_access' });
  return { key: secret.key };
}

/** A system key (no owner) holding API Read Only: users, roles and permissions among what it may read. */
export async function benchReadOnlyKey(db: Knex, name: string): Promise<string> {
  const secret = generateApiKey();
  const [key] = await db('ApiKey')
    .insert({ key_hash: secret.hash, key_prefix: secret.prefix, name, is_system: true, scopes: ['*'] })
    .returning<{ id: string }[]>('id');
  await db('ApiKeyRole').insert({ api_key_id: key!.id, role_id: 'role_api_read_only' });
  return secret.key;
}

/** A TCP port free on the loopback interface right now (for a server child process to listen on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
