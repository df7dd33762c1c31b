import { describe, expect, it } from '@jest/globals';
import { cookieSigner } from './cookie-signer.js';

// Signatures keygrip 1.1.0 (what Koa used before) made of these values: cookies signed then must stay valid.
const KEYGRIP = {
  newKey: { session: 'Xu9gaN7I3VMNfJ6VpVHSjsUU2J0', interaction: '6tdcPbNIxfgMvzImdy43WtZ6Fxc' },
  oldKey: { session: '5qUX4rg6ESBuuQ6SRZWpjd9_BhA' },
};

describe('cookieSigner', () => {
  const signer = cookieSigner(['new-key-BBBB', 'old-key-AAAA']);

  it('signs as keygrip did, with the first key', () => {
    expect(signer.sign('_session=abc123')).toBe(KEYGRIP.newKey.session);
    expect(signer.sign('_interaction=Zx9-_q')).toBe(KEYGRIP.newKey.interaction);
  });

  it('accepts signatures of every key and says which key made them', () => {
    expect(signer.index('_session=abc123', KEYGRIP.newKey.session)).toBe(0);
    expect(signer.index('_session=abc123', KEYGRIP.oldKey.session)).toBe(1);
    expect(signer.verify('_session=abc123', KEYGRIP.oldKey.session)).toBe(true);
  });

  it('refuses a signature of other data, of an unknown key, or in another form', () => {
    const valid = KEYGRIP.newKey.session;
    expect(signer.verify('_session=abc124', valid)).toBe(false);
    expect(cookieSigner(['some-other-key']).verify('_session=abc123', valid)).toBe(false);
    // The same bytes spelled otherwise: padded, in the standard alphabet, truncated, extended, empty.
    const standard = Buffer.from(valid, 'base64url').toString('base64');
    expect(standard).not.toBe(valid);
    for (const digest of [`${valid}=`, standard, valid.slice(0, -1), `${valid}A`, ''])
      expect(signer.index('_session=abc123', digest)).toBe(-1);
    expect(signer.verify('_session=abc123', undefined as unknown as string)).toBe(false);
  });

  it('needs a key', () => {
    expect(() => cookieSigner([])).toThrow(/at least one key/);
  });
});
