import { hashSecret, randomSecret } from './secret-token.js';

/**
 * API key format: `hm_` + 32 bytes of CSPRNG entropy in base64url (43 characters).
 * Only the SHA-256 hash and the first 11 characters (`hm_` + 8) are stored (see secret-token.ts).
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

export const hashApiKey = hashSecret;

export const isApiKeyFormat = (value: string): boolean => FORMAT.test(value);

export function generateApiKey(): NewApiKey {
  const key = randomSecret(API_KEY_PREFIX, ENTROPY_BYTES);
  return { key, hash: hashApiKey(key), prefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}
