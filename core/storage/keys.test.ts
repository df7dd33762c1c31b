import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isValidKey } from './keys.js';

describe('storage keys', () => {
  it('accept plain paths', () => {
    for (const key of ['a', 'files/0f3c', 'a/b/c.txt', 'x-y_z.1', '..a', 'a..'])
      expect(isValidKey(key)).toBe(true);
  });

  it('refuse anything that could name another place', () => {
    for (const key of [
      '',
      '.',
      '..',
      '../a',
      'a/..',
      'a/../b',
      '/a',
      'a/',
      'a//b',
      'a\\b',
      'a\0',
      'ü',
      'a b',
    ]) {
      expect(isValidKey(key)).toBe(false);
    }
    expect(isValidKey('a'.repeat(513))).toBe(false);
  });

  it('never resolve outside the root they are joined to', () => {
    const root = path.resolve('/srv/heimdall/storage');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('..', '.', '', '/', '\\', '~', 'a'), fc.string({ maxLength: 6 })), {
          maxLength: 8,
        }),
        (parts) => {
          const key = parts.join('/');
          if (!isValidKey(key)) return;
          const resolved = path.resolve(root, key);
          expect(resolved.startsWith(root + path.sep)).toBe(true);
          expect(path.relative(root, resolved).split(path.sep).join('/')).toBe(key);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
