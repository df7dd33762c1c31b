import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expiresFrom, securityTxt } from './security-txt.js';

const FIELDS = {
  contact: 'mailto:security@id.example.org',
  policy: 'https://id.example.org/policies/security',
  canonical: 'https://id.example.org/.well-known/security.txt',
};

describe('security.txt', () => {
  it('holds the RFC 9116 fields, one per line', () => {
    const text = securityTxt(FIELDS, new Date('2026-12-05T13:14:15.678Z'));
    expect(text).toBe(
      [
        'Contact: mailto:security@id.example.org',
        'Expires: 2027-12-04T00:00:00Z',
        'Preferred-Languages: en, de',
        'Policy: https://id.example.org/policies/security',
        'Canonical: https://id.example.org/.well-known/security.txt',
        '',
      ].join('\n'),
    );
  });

  it('expires in the future, less than a year ahead, the same all day', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        (now) => {
          const expires = expiresFrom(now).getTime();
          const yearAhead = new Date(now);
          yearAhead.setUTCFullYear(now.getUTCFullYear() + 1);
          expect(expires).toBeGreaterThan(now.getTime());
          expect(expires).toBeLessThan(yearAhead.getTime());
          const endOfDay = new Date(now);
          endOfDay.setUTCHours(23, 59, 59, 999);
          expect(expiresFrom(endOfDay).getTime()).toBe(expires);
        },
      ),
    );
  });
});
