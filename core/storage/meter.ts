import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { AppError } from '../errors/index.js';

export const tooLarge = (maxBytes: number) =>
  new AppError('storage.too_large', 413, `The file is larger than the limit of ${maxBytes} bytes.`, {
    max_bytes: maxBytes,
  });

/**
 * Passes an upload through while counting and hashing it, and fails it as soon as it passes `maxBytes`: the
 * limit holds however the client declares (or does not declare) the length.
 */
export function createMeter(maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(tooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  return {
    stream,
    get size() {
      return size;
    },
    /** Only once the whole body has passed. */
    digest: () => hash.digest('hex'),
  };
}
