import { AppError } from '../errors/index.js';

/**
 * Object keys are the one name a file has in every driver: a path of segments of letters, digits, `.`, `_` and
 * `-`, joined by `/`. No segment is empty, `.` or `..`, so no key can leave the driver's root on a file system or
 * mean two objects in a bucket; the length stays within S3's 1024 bytes.
 */
const SEGMENT = /^[A-Za-z0-9._-]+$/;
export const MAX_KEY_LENGTH = 512;

export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..');
}

export function assertValidKey(key: string): void {
  if (!isValidKey(key)) {
    throw new AppError('storage.invalid_key', 400, 'Not a valid storage key.', { key: key.slice(0, 100) });
  }
}

/** A list prefix: empty (everything), or a valid key optionally ending in `/`. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
