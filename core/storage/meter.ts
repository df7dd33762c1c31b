import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { AppError } from '../errors/index.js';

export const tooLarge = (maxBytes: number) =>
  new AppError('storage.too_large', 413, `The file is larger than the limit of ${maxBytes} bytes.`, {
    max_bytes: maxBytes,
  });

/** What the first bytes of an upload of media type `type` must be; `check` answers whether `head` fits. */
export interface Signature {
  type: string;
  /** How many leading bytes `check` needs (fewer when the whole body is shorter). */
  length: number;
  check(type: string, head: Buffer): boolean;
}

const unsupported = (type: string) =>
  new AppError('storage.unsupported_type', 415, `The contents are not a ${type} file.`, { type });

/**
 * Passes an upload through while counting and hashing it, and fails it as soon as it passes `maxBytes`: the
 * limit holds however the client declares (or does not declare) the length.
 */
export function createMeter(maxBytes: number, signature?: Signature) {
  const hash = createHash('sha256');
  let size = 0;
  // The leading bytes, until the signature was checked: a body that lies about its type fails early.
  let head: Buffer | undefined = signature && Buffer.alloc(0);
  const checkHead = () => {
    if (!signature || !head) return undefined;
    const ok = signature.check(signature.type, head);
    head = undefined;
    return ok ? undefined : unsupported(signature.type);
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(tooLarge(maxBytes));
        return;
      }
      if (signature && head) {
        head = Buffer.concat([head, chunk.subarray(0, signature.length - head.length)]);
        if (head.length >= signature.length) {
          const refused = checkHead();
          if (refused) return callback(refused);
        }
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      callback(checkHead() ?? null);
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
