import { secretConfigPaths, type Config } from '../../schemas/config.js';
import { getPath, setPath, type Tree } from './tiers.js';

/** Hides passwords inside URLs and any other secret value, for `heimdall config` and logs. */
export function redactConfig(config: Config): Tree {
  const copy = structuredClone(config) as unknown as Tree;
  for (const key of secretConfigPaths) {
    const keys = key.split('.');
    const value = getPath(copy, keys);
    if (Array.isArray(value))
      setPath(
        copy,
        keys,
        value.map((v) => redactValue(String(v))),
      );
    if (typeof value !== 'string' || value === '') continue;
    setPath(copy, keys, redactValue(value));
  }
  return copy;
}

function redactValue(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[redacted]';
  }
}
