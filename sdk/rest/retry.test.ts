import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseRetryAfter, retriesMethod, retryDelayMs, retryPolicy } from './retry.js';

const SEED = 20261204;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** Retry-After values as servers and proxies send them, and as they should not. */
const headerValue = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^\s*\d{1,25}\s*$/),
  fc.nat().map(String),
  fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toUTCString())),
  fc.constantFrom('', ' ', '-1', '1.5', '1e3', '0x10', 'Infinity', 'NaN', 'Sun, 99 Nov 1994 99:99:99 GMT'),
);

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates as whole seconds from now', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter(' 3 ', NOW)).toBe(3);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30);
    expect(parseRetryAfter(new Date(NOW + 29_500).toUTCString(), NOW - 500)).toBe(30);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', NOW)).toBe(0);
  });

  it('leaves what it cannot read to the backoff', () => {
    for (const value of [
      null,
      undefined,
      '',
      '-1',
      '1.5',
      '1e3',
      'soon',
      '99999999999999999999',
      'Thursday',
    ]) {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    }
    expect(parseRetryAfter('2026-01-15T12:00:30Z', NOW)).toBeUndefined();
  });

  it('any header value gives a non-negative whole number of seconds or nothing, and never throws', () => {
    fc.assert(
      fc.property(headerValue, fc.integer({ min: 0, max: 4_102_444_800_000 }), (value, now) => {
        const seconds = parseRetryAfter(value, now);
        expect(seconds === undefined || (Number.isSafeInteger(seconds) && seconds >= 0)).toBe(true);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe('retry delays', () => {
  const policy = retryPolicy({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4000 });
  const delay = (attempt: number, status = 429, retryAfterSeconds?: number, random = () => 1) =>
    retryDelayMs({ attempt, status, retryAfterSeconds }, policy, random);

  it('waits out Retry-After as asked, and gives up at once when it asks for more than the cap', () => {
    expect(delay(1, 429, 2)).toBe(2000);
    expect(delay(1, 503, 0)).toBe(0);
    expect(delay(1, 429, 4)).toBe(4000);
    expect(delay(1, 429, 5)).toBeUndefined();
  });

  it('backs off exponentially with full jitter when there is no Retry-After, capped', () => {
    expect([1, 2, 3, 4].map((a) => delay(a))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => delay(a, 503, undefined, () => 0))).toEqual([0, 0, 0, 0]);
    expect(delay(3, 429, undefined, () => 0.5)).toBe(1000);
    const many = retryPolicy({ maxAttempts: 2000, maxDelayMs: 4000 });
    expect(retryDelayMs({ attempt: 1500, status: 429, retryAfterSeconds: undefined }, many, () => 1)).toBe(
      4000,
    );
  });

  it('retries only 429 and 503, and no more than maxAttempts sends in all', () => {
    for (const status of [200, 400, 401, 403, 404, 409, 500, 502, 504])
      expect(delay(1, status, 0)).toBeUndefined();
    expect(delay(4, 429, 0)).toBe(0);
    expect(delay(5, 429, 0)).toBeUndefined();
    expect(
      retryDelayMs({ attempt: 1, status: 429, retryAfterSeconds: 0 }, retryPolicy(false)),
    ).toBeUndefined();
  });

  it('retries idempotent methods by default, others when the caller names them', () => {
    const byDefault = retryPolicy(undefined);
    expect(['GET', 'head', 'OPTIONS', 'PUT', 'delete'].every((m) => retriesMethod(byDefault, m))).toBe(true);
    expect(['POST', 'PATCH'].some((m) => retriesMethod(byDefault, m))).toBe(false);
    expect(retriesMethod(retryPolicy({ methods: ['get', 'post'] }), 'POST')).toBe(true);
    expect(byDefault).toMatchObject({ maxAttempts: 3, maxDelayMs: 30_000, baseDelayMs: 500 });
  });

  it('any answer and header gives a wait within [0, maxDelayMs] or none', () => {
    fc.assert(
      fc.property(
        headerValue,
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(200, 401, 429, 500, 503),
        fc.record({
          maxAttempts: fc.oneof(fc.integer({ min: -3, max: 10 }), fc.double()),
          maxDelayMs: fc.oneof(fc.integer({ min: -1000, max: 120_000 }), fc.double()),
          baseDelayMs: fc.oneof(fc.integer({ min: -1000, max: 60_000 }), fc.double()),
        }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (value, attempt, status, options, random) => {
          const p = retryPolicy(options);
          const retryAfterSeconds = parseRetryAfter(value, NOW);
          const wait = retryDelayMs({ attempt, status, retryAfterSeconds }, p, () => random);
          expect(wait === undefined || (wait >= 0 && wait <= p.maxDelayMs)).toBe(true);
          expect([p.maxAttempts, p.maxDelayMs, p.baseDelayMs].every(Number.isFinite)).toBe(true);
          if (attempt >= p.maxAttempts) expect(wait).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
