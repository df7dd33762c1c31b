import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SCHED_IDLE, settled, threadPriorities } from '../../test/support/threads.js';

// A machine without util-linux's chrt (or not Linux): hashing threads stay at nice 19 and hash all the same.
// A file of its own: jest gives it a fresh module, so its hashing threads start with this PATH.
describe('password hashing threads without chrt', () => {
  const path = process.env.PATH;
  process.env.PATH = mkdtempSync(join(tmpdir(), 'no-chrt-'));
  afterAll(() => {
    process.env.PATH = path;
  });

  it('fall back to nice 19 and still hash and verify', async () => {
    // Threads another test file left in this jest process are not this file's.
    const before = new Set(process.platform === 'linux' ? threadPriorities().map((t) => t.tid) : []);
    const { hashPassword, passwordThreadScheduling, verifyPassword } = await import('./passwords.js');
    const hash = await hashPassword('pw');
    expect(await verifyPassword(hash, 'pw')).toBe(true);
    expect(await settled(passwordThreadScheduling)).toBe('nice');
    if (process.platform !== 'linux') return;
    const started = threadPriorities().filter((t) => !before.has(t.tid));
    expect(started.map((t) => t.nice)).toContain(19);
    expect(started.filter((t) => t.policy === SCHED_IDLE)).toEqual([]);
  });
});
