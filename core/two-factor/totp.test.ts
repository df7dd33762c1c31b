import { describe, expect, it } from '@jest/globals';
import { checkTotp, newTotpSecret, otpauthUri, totpCode, type TotpAlgorithm } from './totp.js';

/** RFC 6238 Appendix B: the reference test vectors, through the functions Heimdall uses. */
const SEEDS: Record<TotpAlgorithm, Uint8Array> = {
  sha1: new TextEncoder().encode('12345678901234567890'),
  sha256: new TextEncoder().encode('12345678901234567890123456789012'),
  sha512: new TextEncoder().encode('1234567890123456789012345678901234567890123456789012345678901234'),
};

const VECTORS: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('Appendix B: T=%d gives %s with %s', (epoch, code, algorithm) => {
    const options = { epoch, digits: 8 as const, algorithm };
    expect(totpCode(SEEDS[algorithm], options)).toBe(code);
    expect(checkTotp(SEEDS[algorithm], code, options)).toEqual({
      valid: true,
      step: Math.floor(epoch / 30),
    });
  });

  it('accepts one step of drift either way, not two', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000;
    for (const drift of [-30, 0, 30]) {
      expect(checkTotp(secret, totpCode(secret, { epoch: now + drift }), { epoch: now }).valid).toBe(true);
    }
    for (const drift of [-60, 60]) {
      expect(checkTotp(secret, totpCode(secret, { epoch: now + drift }), { epoch: now }).valid).toBe(false);
    }
  });

  it('refuses a code whose step was already used (replay), and malformed codes', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000;
    const code = totpCode(secret, { epoch: now });
    const first = checkTotp(secret, code, { epoch: now });
    expect(first.valid).toBe(true);
    const step = (first as { step: number }).step;
    expect(checkTotp(secret, code, { epoch: now, afterStep: step }).valid).toBe(false);
    // The next step's code is still good after it.
    expect(
      checkTotp(secret, totpCode(secret, { epoch: now + 30 }), { epoch: now + 30, afterStep: step }).valid,
    ).toBe(true);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456']) {
      expect(checkTotp(secret, bad, { epoch: now }).valid).toBe(false);
    }
  });

  it('makes 160-bit Base32 secrets and otpauth URIs authenticator apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri({ issuer: 'Heimdall', account: 'ada@example.test', secret }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Heimdall');
    expect(decodeURIComponent(uri.pathname)).toContain('Heimdall:ada@example.test');
  });
});
