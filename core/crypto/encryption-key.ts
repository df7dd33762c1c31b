import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The platform's encryption key: `secrets.encryption_key` when configured (32 bytes, hex or base64), otherwise
 * a key generated once into data_dir/secret.key (mode 0600). A generated key suits one node; a cluster needs
 * the same configured key everywhere, which is why `generated` is reported for a startup warning.
 */
export function decodeKey(value: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('secrets.encryption_key must decode to 32 bytes.');
  return key;
}

export function resolveEncryptionKey(options: { configured: string | undefined; dataDir: string }): {
  key: Buffer;
  source: 'config' | 'file' | 'generated';
  file?: string;
} {
  if (options.configured) return { key: decodeKey(options.configured), source: 'config' };
  const file = path.resolve(options.dataDir, 'secret.key');
  try {
    return { key: decodeKey(readFileSync(file, 'utf8').trim()), source: 'file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  mkdirSync(path.dirname(file), { recursive: true });
  // 'wx': never overwrite a key another process wrote a moment ago; read theirs instead.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      return { key: decodeKey(readFileSync(file, 'utf8').trim()), source: 'file', file };
    }
    throw err;
  }
  return { key, source: 'generated', file };
}
