import path from 'node:path';
import type { z } from 'zod';
import { configSchema, secretConfigPaths, type Config } from '../../schemas/config.js';
import { coerceEnvValue, schemaAt } from './coerce.js';
import {
  ENV_PREFIX,
  envVarPath,
  getPath,
  mergeTier,
  readTomlTier,
  setPath,
  TierReadError,
  type Tier,
  type Tree,
} from './tiers.js';

export interface ConfigProblem {
  /** Dotted key, e.g. `server.port`. */
  key: string;
  /** The tier the offending value came from. */
  tier: string;
  /** What was expected, in words. */
  problem: string;
}

/** Any reason the configuration cannot be used. The CLI prints `message` and exits with code 2. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      ['Invalid configuration:', ...problems.map((p) => `  - ${p.key} (from ${p.tier}): ${p.problem}`)].join(
        '\n',
      ),
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Folder holding default.toml, {env}.toml and local.toml. Default: `$HEIMDALL_CONFIG_DIR` or `./config`. */
  dir?: string;
  /** Environment name selecting `{env}.toml`. Default: `$HEIMDALL_ENV`, then `$NODE_ENV`, then `development`. */
  env?: string;
  /** Where HEIMDALL__* variables are read from. Default: `process.env`. */
  vars?: NodeJS.ProcessEnv;
}

export function resolveEnvName(vars: NodeJS.ProcessEnv): string {
  return vars.HEIMDALL_ENV || vars.NODE_ENV || 'development';
}

const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const vars = options.vars ?? process.env;
  const dir = path.resolve(options.dir ?? vars.HEIMDALL_CONFIG_DIR ?? 'config');
  const env = options.env ?? resolveEnvName(vars);
  if (!ENV_NAME.test(env)) {
    throw new ConfigError([
      { key: 'HEIMDALL_ENV', tier: 'environment', problem: `"${env}" is not a valid environment name` },
    ]);
  }

  const tiers: Tier[] = [];
  try {
    for (const [file, required] of [
      ['default.toml', true],
      [`${env}.toml`, false],
      ['local.toml', false],
    ] as const) {
      const tier = readTomlTier(dir, file, required);
      if (tier) tiers.push(tier);
    }
  } catch (err) {
    if (err instanceof TierReadError)
      throw new ConfigError([{ key: '(file)', tier: err.file, problem: err.reason }]);
    throw err;
  }

  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(vars)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = envVarPath(name);
    const tierName = `env ${name}`;
    const schema = keys.every(Boolean) ? schemaAt(configSchema, keys) : undefined;
    if (!schema) {
      problems.push({ key: keys.join('.'), tier: tierName, problem: 'unknown key' });
      continue;
    }
    const values: Tree = {};
    setPath(values, keys, coerceEnvValue(schema, raw));
    tiers.push({ name: tierName, values });
  }

  const config = validate(tiers, problems);
  // Files that sit beside the TOML (the policy pages' markdown) are found from where the TOML was read.
  return { ...config, policies: { ...config.policies, dir: path.resolve(dir, config.policies.dir) } };
}

/** Merges tiers in order and validates the result with the one config schema. */
export function validate(tiers: Tier[], earlier: ConfigProblem[] = []): Config {
  const merged: Tree = {};
  const origins = new Map<string, string>();
  for (const tier of tiers) mergeTier(merged, tier.values, tier.name, origins);

  const result = configSchema.safeParse(merged);
  const problems = [...earlier];
  if (!result.success)
    problems.push(...result.error.issues.flatMap((issue) => describe(issue, merged, origins)));
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: Config }).data;
}

function originOf(key: string, origins: Map<string, string>): string {
  for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
    const origin = origins.get(k);
    if (origin) return origin;
  }
  return 'built-in defaults';
}

function describe(issue: z.core.$ZodIssue, merged: Tree, origins: Map<string, string>): ConfigProblem[] {
  const base = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const key = [...base, k].join('.');
      return { key, tier: originOf(key, origins), problem: 'unknown key' };
    });
  }
  const key = base.join('.') || '(root)';
  const value = getPath(merged, issue.path);
  const shown = secretConfigPaths.includes(key) ? '[redacted]' : JSON.stringify(value);
  const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
  return [{ key, tier: originOf(key, origins), problem: `${expected}, got ${shown}` }];
}
