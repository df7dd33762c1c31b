import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of secrets at rest (signing keys, TOTP seeds, provider tokens) with AES-256-GCM.
 * The output names its format version and the key that sealed it: `v2.<key id>.<iv>.<ciphertext>.<tag>`, each
 * part base64url, so the key can be rotated: new values are sealed with the current key, values sealed with a
 * previous key (`secrets.previous_encryption_keys`) still open, and `sealedWithCurrent` tells what to re-seal.
 * `v1.<iv>.<ciphertext>.<tag>` (before key ids) still opens, trying every key. `context` is bound as associated
 * data: a value encrypted for one purpose (say a signing key's kid) does not decrypt as another's.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** Whether `sealed` was sealed with the current key (otherwise it should be sealed again). */
  sealedWithCurrent(sealed: string): boolean;
  /** How every value sealed with the current key begins (to find the others in SQL). */
  readonly currentPrefix: string;
}

/** A short public name of a key: which key sealed a value, never anything about the key itself. */
export const keyId = (key: Buffer): string =>
  createHash('sha256').update('heimdall key id').update(key).digest('base64url').slice(0, 8);

export function createSecretBox(key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  for (const k of [key, ...previous])
    if (k.length !== 32) throw new Error('The encryption key must be 32 bytes.');
  const currentId = keyId(key);
  const byId = new Map([key, ...previous].map((k) => [keyId(k), k] as const).reverse());
  byId.set(currentId, key);

  const decrypt = (k: Buffer, parts: string[], context: string) => {
    const [iv, body, tag] = parts as [string, string, string];
    // The full 16-byte tag only: GCM would otherwise accept a truncated one, which is easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  };

  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v2',
        currentId,
        ...[iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url')),
      ].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      // The ciphertext of an empty text is empty; the other parts never are.
      const wellFormed = parts.every((part, i) => part !== '' || i === parts.length - 2);
      if (parts[0] === 'v2' && parts.length === 5 && wellFormed) {
        const k = byId.get(parts[1]!);
        if (!k)
          throw new Error('Sealed with a key that is not configured (secrets.previous_encryption_keys).');
        return decrypt(k, parts.slice(2), context);
      }
      if (parts[0] === 'v1' && parts.length === 4 && wellFormed) {
        let failure: unknown;
        for (const k of [key, ...previous]) {
          try {
            return decrypt(k, parts.slice(1), context);
          } catch (err) {
            failure = err;
          }
        }
        throw failure;
      }
      throw new Error('Not a sealed secret of a known format.');
    },
    sealedWithCurrent: (sealed) => sealed.startsWith(`v2.${currentId}.`),
    currentPrefix: `v2.${currentId}.`,
  };
}
