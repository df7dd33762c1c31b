import { createHash, randomBytes } from 'node:crypto';

/**
 * API key format (seed 004, "API Keys"): `hm_` + 32 bytes of CSPRNG entropy in base64url (43 characters).
 * Only the SHA-256 hash and the first 11 characters (`hm_` + 8) are stored. A fast hash is right here: the
 * secret has 256 bits of entropy, so it cannot be guessed, and it is looked up on every request.
 */
export const API_KEY_PREFIX = 'hm_';
const ENTROPY_BYTES = 32;
export const DISPLAY_PREFIX_LENGTH = 11;
const FORMAT = /^hm_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  key: string;
  hash: string;
  prefix: string;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const isApiKeyFormat = (value: string): boolean => FORMAT.test(value);

export function generateApiKey(): NewApiKey {
  const key = API_KEY_PREFIX + randomBytes(ENTROPY_BYTES).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}
