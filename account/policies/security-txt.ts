/**
 * /.well-known/security.txt (RFC 9116): who to tell about a vulnerability, and until when that holds. Expires is
 * required and should lie less than a year ahead (§2.5.5); it is counted from the start of the current day, so
 * the file changes once a day rather than with every request.
 */
export interface SecurityTxt {
  /** A mailto: or https: URI. */
  contact: string;
  /** The security page (absolute URL). */
  policy: string;
  /** Where this file is served (absolute URL). */
  canonical: string;
}

const EXPIRES_AFTER_DAYS = 364;

export function expiresFrom(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today + EXPIRES_AFTER_DAYS * 86_400_000);
}

export function securityTxt(fields: SecurityTxt, now: Date): string {
  const expires = expiresFrom(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  return [
    `Contact: ${fields.contact}`,
    `Expires: ${expires}`,
    'Preferred-Languages: en, de',
    `Policy: ${fields.policy}`,
    `Canonical: ${fields.canonical}`,
    '',
  ].join('\n');
}
