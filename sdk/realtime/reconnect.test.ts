import { describe, expect, it } from '@jest/globals';
import { reconnectDelay, shouldReconnect } from './reconnect.js';

describe('SDK reconnect policy', () => {
  const base = { advice: undefined, refreshableToken: false, enabled: true };

  it('reconnects after network drops and the codes that ask for it', () => {
    for (const code of [1006, 1001, 1011, 4000, 4001, 4002, 4004, 4429]) {
      expect(shouldReconnect({ ...base, code })).toBe(true);
    }
  });

  it('never after a protocol error, a revocation or an oversized frame, nor when the server says not to', () => {
    for (const code of [4400, 4403, 1009]) expect(shouldReconnect({ ...base, code })).toBe(false);
    expect(shouldReconnect({ ...base, code: 4001, advice: false })).toBe(false);
    expect(shouldReconnect({ ...base, code: 1006, enabled: false })).toBe(false);
  });

  it('after 4401 only when a token function can bring a fresh credential', () => {
    expect(shouldReconnect({ ...base, code: 4401 })).toBe(false);
    expect(shouldReconnect({ ...base, code: 4401, advice: false, refreshableToken: true })).toBe(true);
  });

  it('backs off exponentially within the upper half of each ceiling, capped, longer after a shutdown', () => {
    const low = () => 0;
    const high = () => 1;
    expect([0, 1, 2, 3].map((a) => reconnectDelay(a, 1006, {}, low))).toEqual([125, 250, 500, 1000]);
    expect([0, 1, 2, 3].map((a) => reconnectDelay(a, 1006, {}, high))).toEqual([250, 500, 1000, 2000]);
    expect(reconnectDelay(20, 1006, {}, high)).toBe(10_000);
    expect(reconnectDelay(0, 4000, {}, high)).toBe(500);
    expect(reconnectDelay(3, 1006, { minDelayMs: 10, maxDelayMs: 50 }, high)).toBe(50);
  });
});
