import { resolveEnvName } from '../../../core/config/index.js';
import { createStdoutLogger } from '../../../core/logger/logger.js';
import type { Config } from '../../../schemas/config.js';
import { parseRoles, UnknownRoleError } from '../../roles.js';
import { startPlatform } from '../../start.js';
import { UsageError } from '../io.js';

/** `heimdall start [--roles …]`: serves until SIGINT/SIGTERM, then shuts down cleanly (a second signal forces). */
export async function startCommand(
  config: Config,
  rolesOption: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let roles;
  try {
    roles = parseRoles(rolesOption);
  } catch (err) {
    if (err instanceof UnknownRoleError) throw new UsageError(err.message);
    throw err;
  }
  const logger = createStdoutLogger(config.log, resolveEnvName(env));
  const platform = await startPlatform({ config, logger, roles });
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      logger.info({ signal }, 'shutting down');
      platform.stop().then(
        () => {
          logger.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
