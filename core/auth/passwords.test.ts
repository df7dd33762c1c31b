import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

/** Nice values of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('passwords', () => {
  it('hashes with Argon2id at 19 MiB, t=2, p=1 and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapler')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('stays compatible with hashes made by the argon2 package, both ways', async () => {
    const stored = await argon2.hash('secret', {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(await verifyPassword(stored, 'secret')).toBe(true);
    expect(await verifyPassword(stored, 'Secret')).toBe(false);
    expect(await argon2.verify(await hashPassword('secret'), 'secret')).toBe(true);
  });

  it('verifies older, stronger hashes and asks for them to be upgraded', async () => {
    const older = await argon2.hash('secret', { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3 });
    expect(await verifyPassword(older, 'secret')).toBe(true);
    expect(needsRehash(older)).toBe(true);
    expect(
      needsRehash(await argon2.hash('secret', { type: argon2.argon2i, memoryCost: 19_456, timeCost: 2 })),
    ).toBe(true);
  });

  it('answers false, never throws, for what is not an Argon2 hash', async () => {
    expect(await verifyPassword('', 'secret')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$bm90LWEtaGFzaA', 'secret')).toBe(false);
    expect(await verifyPassword('plain text', 'secret')).toBe(false);
  });

  it('runs concurrent checks in parallel on threads at the lowest priority', async () => {
    const hash = await hashPassword('pw');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => verifyPassword(hash, i % 2 ? 'pw' : 'no')),
    );
    expect(results).toEqual([false, true, false, true, false, true, false, true]);
    if (process.platform === 'linux') expect(threadNiceValues()).toContain(19);
  });
});
