import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { usernameSchema } from '../../schemas/users.js';
import { usernameFor } from './usernames.js';

describe('usernames for platform sign-ups', () => {
  it('keeps a name that is already a valid username', () => {
    expect(usernameFor('StreamerBob', 0)).toBe('StreamerBob');
    expect(usernameFor('steam.user-1', 0)).toBe('steam.user-1');
  });

  it('makes any platform name a valid username, on every attempt', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.nat(6), (name, attempt) => {
        expect(usernameSchema.safeParse(usernameFor(name, attempt)).success).toBe(true);
      }),
    );
  });

  it('adds a number when the name is taken, staying within 32 characters', () => {
    const name = usernameFor('a'.repeat(40), 2);
    expect(name).toMatch(/^a+_\d+$/);
    expect(name.length).toBeLessThanOrEqual(32);
    expect(usernameFor('ü', 0)).toMatch(/^user/);
  });
});
