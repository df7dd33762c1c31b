import { isIPv6 } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  anonymizeEvent,
  isPseudonym,
  pseudonymFor,
  pseudonymKey,
  scrubMetadata,
  truncateIp,
  type AuditEventForPurge,
} from './anonymize.js';

/** The purge's anonymization rules, held for any input rather than a few examples. */
const key = pseudonymKey(Buffer.alloc(32, 7));
const octets = (ip: string) => ip.split('.').map(Number);
/** The 128 bits of an IPv6 address, via the URL parser's canonical form. */
const bits = (ip: string): bigint => {
  const groups = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = '', tail = ''] = groups.split('::');
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
};
const MASK_48 = ((1n << 48n) - 1n) << 80n;

describe('anonymization helpers', () => {
  it('truncates an IPv4 address to its /24, idempotently', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const cut = truncateIp(ip)!;
        expect(octets(cut).slice(0, 3)).toEqual(octets(ip).slice(0, 3));
        expect(octets(cut)[3]).toBe(0);
        expect(truncateIp(cut)).toBe(cut);
        expect(truncateIp(`::ffff:${ip}`)).toBe(cut);
      }),
    );
  });

  it('truncates an IPv6 address to its /48: the same network, no host bits, idempotently', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const cut = truncateIp(ip)!;
        if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return;
        expect(isIPv6(cut)).toBe(true);
        expect(bits(cut)).toBe(bits(ip) & MASK_48);
        expect(truncateIp(cut)).toBe(cut);
      }),
    );
  });

  it('answers null for what is not an address', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^[\d.:a-fA-F]+$/.test(s));
        expect(truncateIp(s)).toBeNull();
      }),
    );
  });

  it('names a person by a stable pseudonym that does not contain their id', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        const alias = pseudonymFor(key, a);
        expect(isPseudonym(alias)).toBe(true);
        expect(pseudonymFor(key, a)).toBe(alias);
        expect(alias).not.toContain(a);
        if (a !== b) expect(pseudonymFor(key, b)).not.toBe(alias);
      }),
    );
  });

  it('keeps only booleans, numbers and nulls of metadata', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (metadata) => {
        const scrubbed = scrubMetadata(metadata);
        expect(scrubbed.anonymized).toBe(true);
        for (const [k, v] of Object.entries(scrubbed)) {
          if (k === 'anonymized') continue;
          expect(v === null || typeof v === 'boolean' || typeof v === 'number').toBe(true);
          expect(v).toEqual(metadata[k]);
        }
      }),
    );
  });

  it('leaves no trace of the person in an event about them, and keeps the country', () => {
    const event = fc.record({
      id: fc.uuid(),
      created_at: fc.constant('2024-01-01 00:00:00+00'),
      ip_address: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
      user_agent: fc.option(fc.string(), { nil: null }),
      description: fc.option(fc.string(), { nil: null }),
      error_message: fc.option(fc.string(), { nil: null }),
      metadata: fc.dictionary(fc.string(), fc.jsonValue()),
      city: fc.option(fc.string(), { nil: null }),
      region: fc.option(fc.string(), { nil: null }),
      resource_id: fc.option(fc.uuid(), { nil: null }),
    });
    fc.assert(
      fc.property(fc.uuid(), event, fc.boolean(), (userId, e, asActor) => {
        const row: AuditEventForPurge = {
          ...e,
          user_id: asActor ? null : userId,
          actor_id: asActor ? userId : null,
          metadata: { ...e.metadata, who: userId, [userId]: true },
        };
        const alias = pseudonymFor(key, userId);
        const out = anonymizeEvent(row, userId, alias);
        expect(JSON.stringify(out)).not.toContain(userId);
        expect(out.user_agent).toBeNull();
        expect([out.city, out.region, out.description]).toEqual([null, null, null]);
        expect(out.ip_address).toBe(row.ip_address === null ? null : truncateIp(row.ip_address));
        expect(asActor ? out.actor_id : out.user_id).toBe(alias);
      }),
    );
  });

  it("only swaps the id in someone else's event that has the person as its resource", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.ipV4(), (userId, adminId, ip) => {
        const row: AuditEventForPurge = {
          id: adminId,
          created_at: 'x',
          user_id: adminId,
          actor_id: adminId,
          resource_id: userId,
          ip_address: ip,
          user_agent: 'ua',
          description: `about ${userId}`,
          error_message: null,
          metadata: { target: userId, [userId]: 1 },
          city: 'c',
          region: 'r',
        };
        const alias = pseudonymFor(key, userId);
        const out = anonymizeEvent(row, userId, alias);
        expect(JSON.stringify(out)).not.toContain(userId);
        expect(out).toMatchObject({ ip_address: ip, user_agent: 'ua', resource_id: alias, city: 'c' });
      }),
    );
  });
});
