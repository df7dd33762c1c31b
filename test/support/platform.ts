import path from 'node:path';
import { loadConfig, type Config } from '../../core/config/index.js';
import { createLogger } from '../../core/logger/index.js';
import { startPlatform, type RunningPlatform } from '../../api/server/start.js';

export const CONFIG_DIR = path.resolve('config');

/** The repository's real config files plus HEIMDALL__* overrides, as an operator would set them. */
export function testConfig(vars: Record<string, string>): Config {
  return loadConfig({
    dir: CONFIG_DIR,
    env: 'test',
    vars: {
      HEIMDALL__SERVER__HOST: '127.0.0.1',
      HEIMDALL__SERVER__PORT: '0',
      HEIMDALL__LOG__LEVEL: 'silent',
      ...vars,
    },
  });
}

export function startTestPlatform(vars: Record<string, string>): Promise<RunningPlatform> {
  const config = testConfig(vars);
  return startPlatform({ config, logger: createLogger(config.log.level), roles: ['api'] });
}
