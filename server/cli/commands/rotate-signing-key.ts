import { createCache } from '../../../core/cache/create.js';
import { SIGNING_KEYS_CHANNEL } from '../../../core/tokens/signing-keys.js';
import type { Config } from '../../../schemas/config.js';
import { openSigningKeys } from '../../oidc-settings.js';
import type { CliIo } from '../io.js';
import { withPreparedDatabases } from './database.js';

/**
 * `heimdall rotate-signing-key`: a new key signs from now on; the old one stays in the JWKS until everything it
 * signed has expired, then the scheduler deletes it. Running nodes hear of it over Redis at once, and look
 * anyway every oidc.key_check_interval_ms.
 */
export function rotateSigningKeyCommand(config: Config, io: CliIo): Promise<number> {
  return withPreparedDatabases(config, async (databases) => {
    const { store, settings } = openSigningKeys(config, databases.primary);
    await store.load(); // the first key, if Heimdall never started against this database
    const { retired, active } = await store.rotate();
    // With Redis, every running node reloads at once; without it (one node), within key_check_interval_ms.
    const bus = createCache({ url: config.redis.url, keyPrefix: config.redis.key_prefix });
    try {
      await bus.publish(SIGNING_KEYS_CHANNEL, active.join(',')).catch(() => undefined);
    } finally {
      await bus.close();
    }
    io.stdout.write(
      `New signing keys active: ${active.join(', ')}.\n` +
        (retired.length > 0
          ? `Keys ${retired.join(', ')} no longer sign and stay published for ${settings.retiredKeyLifetimeSeconds} s.\n`
          : ''),
    );
    return 0;
  });
}
