import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { findUnsafeInput, jsonNestsDeeperThan, unsafeText } from './input-text.js';

const SEED = 20261203;

describe('unsafeText', () => {
  it('names NUL and lone surrogates, and accepts paired surrogates', () => {
    expect(unsafeText('a\u0000b')).toBe('nul');
    expect(unsafeText('x\ud800y')).toBe('surrogate');
    expect(unsafeText('x\udc00')).toBe('surrogate');
    expect(unsafeText('\udc00\ud800')).toBe('surrogate');
    expect(unsafeText('emoji 😀 ok')).toBeUndefined();
    expect(unsafeText('')).toBeUndefined();
  });

  it('accepts exactly the strings that survive a UTF-8 round trip and hold no NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const storable = !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s;
        expect(unsafeText(s) === undefined).toBe(storable);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('findUnsafeInput', () => {
  it('finds unsafe text in keys and values, with its path', () => {
    expect(findUnsafeInput({ a: [1, { b: 'x\u0000' }] })).toEqual({ path: ['a', 1, 'b'], reason: 'nul' });
    expect(findUnsafeInput({ ['k\ud800']: 1 })).toEqual({ path: ['k\ud800'], reason: 'surrogate' });
    expect(findUnsafeInput({ a: 'fine', b: [true, null, 3] })).toBeUndefined();
  });

  it('stops at the depth bound without recursing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeInput(deep)?.reason).toBe('depth');
    let shallow: unknown = 'leaf';
    for (let i = 0; i < 10; i++) shallow = { x: shallow };
    expect(findUnsafeInput(shallow)).toBeUndefined();
  });

  it('agrees with a recursive reading of any JSON value', () => {
    const storable = (t: string) => !t.includes('\u0000') && Buffer.from(t, 'utf8').toString('utf8') === t;
    const safe = (v: unknown): boolean =>
      typeof v === 'string'
        ? storable(v)
        : v !== null && typeof v === 'object'
          ? Object.entries(v).every(([k, c]) => storable(k) && safe(c))
          : true;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8, stringUnit: 'binary' }), (v) => {
        expect(findUnsafeInput(v) === undefined).toBe(safe(v));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('jsonNestsDeeperThan', () => {
  it('counts brackets outside strings only, in text and bytes', () => {
    expect(jsonNestsDeeperThan('[[["]]]]]]]]"]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"\\"[[[[[["}', 1)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('['.repeat(10_000)), 32)).toBe(true);
  });

  it('matches the depth of the parsed value for any JSON', () => {
    const depth = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), fc.integer({ min: 0, max: 12 }), (v, bound) => {
        const raw = JSON.stringify(v);
        expect(jsonNestsDeeperThan(raw, bound)).toBe(depth(v) > bound);
        expect(jsonNestsDeeperThan(Buffer.from(raw), bound)).toBe(depth(v) > bound);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
