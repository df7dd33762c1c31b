import { createApiKeyService } from '../../../core/api-keys/service.js';
import { openAuditLogger } from '../../../core/audit/logger.js';
import { createAuthCache } from '../../../core/auth/auth-cache.js';
import { operatorContext } from '../../../core/auth/operator.js';
import { createCache } from '../../../core/cache/create.js';
import { createUserQueries } from '../../../core/users/queries.js';
import { createApiKeyBody } from '../../../schemas/api-keys.js';
import type { Config } from '../../../schemas/config.js';
import { UsageError, type CliIo } from '../io.js';
import { withPreparedDatabases } from './database.js';

/**
 * `heimdall create-api-key --name … --roles a,b [--scopes …] [--user EMAIL] [--system]`: how automation and bots
 * get their first key. The key is printed once; only its hash is stored. Running nodes drop cached contexts
 * through the same bus as the API (nothing to drop for a new key, but the path is the same).
 */
export interface CreateApiKeyOptions {
  name?: string | undefined;
  roles?: string | undefined;
  scopes?: string | undefined;
  user?: string | undefined;
  system?: boolean | undefined;
}

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

export async function createApiKeyCommand(
  config: Config,
  io: CliIo,
  options: CreateApiKeyOptions,
): Promise<number> {
  if (!options.name) throw new UsageError('create-api-key needs --name.');
  if (options.system && options.user)
    throw new UsageError('A --system key belongs to no user: drop --user or --system.');
  const parsed = createApiKeyBody.safeParse({
    name: options.name,
    role_ids: list(options.roles),
    scopes: options.scopes === undefined ? undefined : list(options.scopes),
  });
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));

  return withPreparedDatabases(config, async (databases) => {
    let userId: string | null = null;
    if (options.user) {
      const account = await createUserQueries(databases.primary).findEmailAccount(options.user);
      if (!account) throw new UsageError(`No user with the email ${options.user}.`);
      userId = account.user_id;
    }
    const bus = createCache({ url: config.redis.url, keyPrefix: config.redis.key_prefix });
    const audit = openAuditLogger(config, databases.audit);
    try {
      const service = createApiKeyService({
        db: databases.primary,
        audit,
        authCache: createAuthCache({ bus, ttlMs: 0 }),
      });
      const created = await service.create(
        { auth: operatorContext(), userAgent: 'heimdall-cli' },
        { ...parsed.data, user_id: userId },
        { isSystem: options.system ?? false },
      );
      const r = created.record;
      io.stdout.write(
        `Created API key "${r.name}" (id ${r.id}, ${r.is_system ? 'system' : userId ? `owner ${options.user}` : 'no owner'}, ` +
          `roles: ${r.role_ids.join(', ') || 'none'}, scopes: ${r.scopes.join(', ') || 'none'}).\n` +
          `Key (shown once, store it now): ${created.key}\n`,
      );
      return 0;
    } finally {
      await audit.close();
      await bus.close();
    }
  });
}
