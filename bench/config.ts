import path from 'node:path';
import { loadConfig } from '../core/config/index.js';
import type { Config } from '../schemas/config.js';

/**
 * The configuration every benchmark runs Heimdall with: its own data directory, loopback on any free port,
 * no logs, and a read limit no load reaches (one key hammering one endpoint is what is measured, not what
 * the limiter is for). HEIMDALL__* variables of the environment still win, over all but `overrides` (what a
 * benchmark needs to be so, such as the databases it made for itself).
 */
export function benchConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    vars: {
      HEIMDALL__RATE_LIMIT__TIERS__STANDARD__READ: '100000000',
      HEIMDALL__DATA_DIR: path.resolve('.heimdall/bench'),
      HEIMDALL__SERVER__HOST: '127.0.0.1',
      HEIMDALL__SERVER__PORT: '0',
      HEIMDALL__LOG__LEVEL: 'silent',
      ...process.env,
      ...overrides,
    },
  });
}
