import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../../core/config/index.js';
import { createStdoutLogger, type Logger } from '../../core/logger/logger.js';
import type { ProcessRole } from '../../server/roles.js';
import { startPlatform, type RunningPlatform, type StartOptions } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { uniqueName } from './services.js';

export const CONFIG_DIR = path.resolve('config');
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The repository's real config files plus HEIMDALL__* overrides, as an operator would set them. */
export function testConfig(vars: Record<string, string>): Config {
  return loadConfig({
    dir: CONFIG_DIR,
    env: 'test',
    vars: {
      HEIMDALL__SERVER__HOST: '127.0.0.1',
      HEIMDALL__SERVER__PORT: '0',
      HEIMDALL__LOG__LEVEL: 'silent',
      // A fixed key: tests never write data_dir/secret.key into the working tree.
      HEIMDALL__SECRETS__ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      // Each platform its own audit spool: spooled events must never be replayed into another test's database.
      HEIMDALL__AUDIT__SPOOL_DIR: path.join(os.tmpdir(), uniqueName('heimdall-audit-spool')),
      // Stored files go to a directory of the platform's own, never into the working tree.
      HEIMDALL__STORAGE__DIR: path.join(os.tmpdir(), uniqueName('heimdall-storage')),
      ...vars,
    },
  });
}

/** What a test injects into the platform besides config: a resolver for outgoing requests, a logger to read. */
export type TestPlatformOptions = Pick<StartOptions, 'resolveHost'> & { logger?: Logger };

export function startTestPlatform(
  vars: Record<string, string>,
  roles: ProcessRole[] = ['api'],
  options: TestPlatformOptions = {},
): Promise<RunningPlatform> {
  const config = testConfig(vars);
  return startPlatform({ config, logger: createStdoutLogger(config.log, 'test'), roles, ...options });
}

/** Config overrides, or a function giving them once earlier beforeAll hooks ran (servers the platform calls). */
export type PlatformVars = Record<string, string> | (() => Record<string, string>);

export interface TestPlatform {
  readonly platform: RunningPlatform;
  readonly url: string;
  readonly db: Knex;
}

/**
 * A platform on a fresh database for the enclosing describe block: started in beforeAll, stopped and dropped in
 * afterAll. Read its fields inside tests (they are set once beforeAll has run).
 */
export function useTestPlatform(
  vars: PlatformVars = {},
  roles: ProcessRole[] = ['api'],
  options: TestPlatformOptions = {},
): TestPlatform {
  let database: TestDatabase | undefined;
  let platform: RunningPlatform | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform(
      { HEIMDALL__DATABASE__URL: database.url, ...(typeof vars === 'function' ? vars() : vars) },
      roles,
      options,
    );
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });
  const running = (): RunningPlatform => {
    if (!platform) throw new Error('The test platform is not running (use it inside tests).');
    return platform;
  };
  return {
    get platform() {
      return running();
    },
    get url() {
      return running().url;
    },
    get db() {
      return running().databases.primary;
    },
  };
}
