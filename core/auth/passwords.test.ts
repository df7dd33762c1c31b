import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { SCHED_IDLE, settled, threadPriorities } from '../../test/support/threads.js';
import { hashPassword, needsRehash, passwordThreadScheduling, verifyPassword } from './passwords.js';

const hasChrt = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, 'chrt')));

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
    if (process.platform !== 'linux') return;
    expect(threadPriorities().map((t) => t.nice)).toContain(19);
    if (!hasChrt) return;
    expect(await settled(passwordThreadScheduling)).toBe('idle');
    const idle = threadPriorities().filter((t) => t.policy === SCHED_IDLE);
    expect(idle.length).toBeGreaterThanOrEqual(1);
    expect(idle.every((t) => t.nice === 19)).toBe(true);
    // Only the hashing threads: the event loop keeps its normal priority.
    expect(threadPriorities().find((t) => t.tid === process.pid)?.policy).toBe(0);
  });
});
