import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/**
 * The four configuration tiers, lowest priority first:
 * config/default.toml → config/{env}.toml → config/local.toml → HEIMDALL__* env vars.
 */
export type Tree = { [key: string]: unknown };

export interface Tier {
  /** Human-readable origin used in error messages, e.g. `config/local.toml` or `env HEIMDALL__SERVER__PORT`. */
  name: string;
  values: Tree;
}

export class TierReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Reads one TOML tier; a missing optional file yields no tier, an unreadable or malformed one throws. */
export function readTomlTier(dir: string, file: string, required: boolean): Tier | undefined {
  const full = path.join(dir, file);
  const label = path.join(path.basename(dir), file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new TierReadError(
      label,
      code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`,
    );
  }
  try {
    return { name: label, values: parseToml(text) as Tree };
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0] ?? 'syntax error';
    throw new TierReadError(label, `is not valid TOML: ${detail}`);
  }
}

export const ENV_PREFIX = 'HEIMDALL__';

/** Splits `HEIMDALL__DATABASE__EMBEDDED__PORT` into `['database', 'embedded', 'port']`. */
export function envVarPath(name: string): string[] {
  return name
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((part) => part.toLowerCase());
}

export function isPlainObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Deep-merges `source` into `target` and records, for every leaf written, which tier set it. */
export function mergeTier(
  target: Tree,
  source: Tree,
  tier: string,
  origins: Map<string, string>,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      mergeTier(current, value, tier, origins, keyPath);
    } else {
      target[key] = isPlainObject(value) ? structuredClone(value) : value;
      origins.set(keyPath, tier);
      if (isPlainObject(value)) recordLeaves(value, tier, origins, keyPath);
    }
  }
}

function recordLeaves(tree: Tree, tier: string, origins: Map<string, string>, prefix: string): void {
  for (const [key, value] of Object.entries(tree)) {
    const keyPath = `${prefix}.${key}`;
    origins.set(keyPath, tier);
    if (isPlainObject(value)) recordLeaves(value, tier, origins, keyPath);
  }
}

export function setPath(tree: Tree, keys: string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}

export function getPath(tree: unknown, keys: readonly (string | number | symbol)[]): unknown {
  let node = tree;
  for (const key of keys) {
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string | number, unknown>)[key as string];
  }
  return node;
}
