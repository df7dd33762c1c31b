import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * TOTP (RFC 6238) as Google Authenticator, Authy and 1Password expect it: SHA-1, 6 digits, 30-second steps,
 * a 160-bit Base32 secret. Verification accepts one step of clock drift either way and never a step at or
 * before the last one accepted, so a code works at most once.
 */
export const PERIOD_SECONDS = 30;

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** Unix time in seconds (default: now). */
  epoch?: number;
  digits?: 6 | 7 | 8;
  algorithm?: TotpAlgorithm;
}

export const newTotpSecret = (): string => generateSecret({ length: 20 });

/** The code for a moment (what an authenticator app shows). */
export function totpCode(secret: string | Uint8Array, options: TotpOptions = {}): string {
  return generateSync({
    secret,
    period: PERIOD_SECONDS,
    digits: options.digits ?? 6,
    algorithm: options.algorithm ?? 'sha1',
    ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
  });
}

/** Checks a code; on success answers its time step, to be stored as the new `afterStep`. */
export function checkTotp(
  secret: string | Uint8Array,
  code: string,
  options: TotpOptions & { afterStep?: number | null } = {},
): { valid: true; step: number } | { valid: false } {
  const digits = options.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return { valid: false };
  const result = verifySync({
    secret,
    token: code,
    period: PERIOD_SECONDS,
    digits,
    algorithm: options.algorithm ?? 'sha1',
    epochTolerance: PERIOD_SECONDS,
    ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
    ...(options.afterStep === null || options.afterStep === undefined
      ? {}
      : { afterTimeStep: options.afterStep }),
  });
  // The TOTP strategy always answers the matched RFC 6238 time step (the HOTP branch of the union has none).
  return result.valid ? { valid: true, step: (result as { timeStep: number }).timeStep } : { valid: false };
}

/** The otpauth:// URI an authenticator app scans. */
export const otpauthUri = (v: { issuer: string; account: string; secret: string }): string =>
  generateURI({ issuer: v.issuer, label: v.account, secret: v.secret, period: PERIOD_SECONDS, digits: 6 });
