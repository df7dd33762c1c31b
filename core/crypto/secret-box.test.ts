import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createSecretBox, keyId } from './secret-box.js';

/** The format before key ids, as earlier releases sealed it. */
function sealV1(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('secret box', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('round-trips any text and binds it to its context', () => {
    const box = createSecretBox(newKey);
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (text, context) => {
        const sealed = box.seal(text, context);
        expect(box.open(sealed, context)).toBe(text);
        expect(() => box.open(sealed, `${context}x`)).toThrow();
      }),
    );
  });

  it('names the sealing key and opens values of a previous key after rotation', () => {
    const before = createSecretBox(oldKey);
    const sealed = before.seal('refresh-token', 'ctx');
    expect(sealed.split('.').slice(0, 2)).toEqual(['v2', keyId(oldKey)]);
    const rotated = createSecretBox(newKey, [oldKey]);
    expect(rotated.open(sealed, 'ctx')).toBe('refresh-token');
    expect(rotated.sealedWithCurrent(sealed)).toBe(false);
    const resealed = rotated.seal('refresh-token', 'ctx');
    expect(rotated.sealedWithCurrent(resealed)).toBe(true);
    // Once the old key is dropped from the configuration, its values no longer open.
    expect(() => createSecretBox(newKey).open(sealed, 'ctx')).toThrow(/not configured/);
  });

  it('still opens the format without key ids, with the current or a previous key', () => {
    expect(createSecretBox(newKey, [oldKey]).open(sealV1(oldKey, 'seed', 'c'), 'c')).toBe('seed');
    expect(createSecretBox(newKey).open(sealV1(newKey, 'seed', 'c'), 'c')).toBe('seed');
    expect(createSecretBox(newKey).sealedWithCurrent(sealV1(newKey, 'seed', 'c'))).toBe(false);
  });

  it('refuses tampered and malformed values', () => {
    const box = createSecretBox(newKey);
    const sealed = box.seal('secret', 'c');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other body').toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow();
    fc.assert(
      fc.property(fc.string(), (junk) => {
        expect(() => box.open(junk, 'c')).toThrow();
      }),
    );
  });
});
