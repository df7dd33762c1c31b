import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, notFound } from '../errors/index.js';
import type { StorageDriver, StoredObject } from './driver.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import type { UrlSigner } from './url-signer.js';

/** Holds uploads until they are complete; `~` is never part of a key, so it is never listed or served. */
const TEMP_DIR = '~incoming';

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code ?? '';
const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes(codeOf(err));

/**
 * On disk a key cannot be a file and a folder at once: `a` and `a/b` exclude each other here, where S3 keeps
 * both. The caller learns which key is in the way rather than a file system error.
 */
const keyConflict = (key: string) =>
  new AppError(
    'storage.key_conflict',
    409,
    `A file cannot be stored as "${key}": another file's key is a folder of it, or it is a folder of another.`,
  );

/**
 * Files under a directory (by default data_dir/storage): the embedded default, needing nothing. An upload is
 * written to a temporary file on the same file system and renamed into place once complete, so a reader never
 * sees half a file and a failed upload leaves nothing. Signed URLs point at Heimdall's own download route.
 */
export function createFsDriver(options: {
  root: string;
  signer: UrlSigner;
  /** `…/v1/storage/download`: the route serving signed tokens. */
  downloadUrl: string;
  now?: () => number;
}): StorageDriver {
  const root = path.resolve(options.root);
  const now = options.now ?? Date.now;
  const pathOf = (key: string) => {
    assertValidKey(key);
    const file = path.resolve(root, key);
    // Valid keys cannot leave the root; this is the second lock on the same door.
    if (!file.startsWith(root + path.sep)) {
      throw new AppError('storage.invalid_key', 400, 'Not a valid storage key.');
    }
    return file;
  };

  async function* walk(dir: string, keyPrefix: string): AsyncGenerator<StoredObject> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name === TEMP_DIR && keyPrefix === '') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full, `${keyPrefix}${entry.name}/`);
      else if (entry.isFile()) {
        const info = await fs.stat(full).catch(() => undefined);
        if (info) yield { key: `${keyPrefix}${entry.name}`, size: info.size, lastModified: info.mtime };
      }
    }
  }

  return {
    kind: 'fs',
    async put(key, body: Readable) {
      const file = pathOf(key);
      const temp = path.join(root, TEMP_DIR, randomUUID());
      await fs.mkdir(path.dirname(temp), { recursive: true });
      try {
        await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.rename(temp, file);
      } catch (err) {
        await fs.rm(temp, { force: true });
        if (['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY'].includes(codeOf(err))) throw keyConflict(key);
        throw err;
      }
    },
    async get(key) {
      const file = pathOf(key);
      try {
        const handle = await fs.open(file, 'r');
        return handle.createReadStream();
      } catch (err) {
        if (isMissing(err) || codeOf(err) === 'EISDIR') {
          throw notFound('storage.not_found', 'No such file.');
        }
        throw err;
      }
    },
    async stat(key) {
      const file = pathOf(key);
      try {
        const info = await fs.stat(file);
        return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async delete(key) {
      const file = pathOf(key);
      const info = await fs.stat(file).catch(() => undefined);
      if (!info?.isFile()) return;
      await fs.rm(file, { force: true });
      // Folders the file leaves empty go too, so that their names are free to be keys again.
      for (let dir = path.dirname(file); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
        try {
          await fs.rmdir(dir);
        } catch {
          break;
        }
      }
    },
    async *list(prefix) {
      assertValidPrefix(prefix);
      // Walk only the directory the prefix names, then keep the keys it starts; sorted, since a directory walk
      // puts `a/b` before `a.c` where key order has them the other way round.
      const dir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const found: StoredObject[] = [];
      for await (const object of walk(path.join(root, dir), dir)) {
        if (object.key.startsWith(prefix)) found.push(object);
      }
      found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      yield* found;
    },
    async signedUrl(key, { expiresInSeconds, contentType, fileName }) {
      assertValidKey(key);
      const token = options.signer.sign({
        key,
        contentType,
        fileName,
        expiresAt: now() + expiresInSeconds * 1000,
      });
      return `${options.downloadUrl}/${token}`;
    },
    close() {},
  };
}
