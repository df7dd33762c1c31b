import { hash, randomBytes } from 'node:crypto';

/**
 * Bearer-style secrets Heimdall issues (API keys, OAuth client secrets): a recognisable prefix plus 32 bytes of
 * CSPRNG entropy in base64url. Only their SHA-256 is stored. A fast hash is right for these: 256 bits of
 * entropy cannot be guessed, and they are checked on every request.
 */
export const randomSecret = (prefix: string, bytes = 32): string =>
  prefix + randomBytes(bytes).toString('base64url');

export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');
