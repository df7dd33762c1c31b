import { describe, expect, it } from '@jest/globals';
import { HeimdallNetworkError } from './errors.js';
import { retryPolicy } from './retry.js';
import { fetchOnce, sendWithRetries, sleep } from './transport.js';

const limited = (retryAfter?: string) =>
  new Response('{}', { status: 429, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });

/** Answers in order, then 200s; records how long the loop waited. */
function script(...answers: Response[]) {
  let sent = 0;
  const waits: number[] = [];
  return {
    waits,
    sent: () => sent,
    attempt: async () => answers[sent++] ?? new Response('ok'),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

describe('sendWithRetries', () => {
  const policy = retryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 });

  it('waits out Retry-After, backs off without it, then hands over the success', async () => {
    const s = script(limited('2'), new Response('', { status: 503 }), limited('0'));
    const response = await sendWithRetries(s.attempt, {
      policy,
      retryable: true,
      sleep: s.sleep,
      random: () => 1,
    });
    expect(await response.text()).toBe('ok');
    expect(s.waits).toEqual([2000, 200, 0]);
  });

  it('hands over the last refusal once the attempts are spent, or at once when not retryable', async () => {
    const spent = script(limited('1'), limited('1'), limited('1'), limited('7'), limited('1'));
    const last = await sendWithRetries(spent.attempt, { policy, retryable: true, sleep: spent.sleep });
    expect([last.status, last.headers.get('retry-after'), spent.sent()]).toEqual([429, '7', 4]);
    const once = script(limited('1'));
    expect(
      (await sendWithRetries(once.attempt, { policy, retryable: false, sleep: once.sleep })).status,
    ).toBe(429);
    expect(once.sent()).toBe(1);
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    const s = script(limited('5'));
    const pending = sendWithRetries(s.attempt, { policy, retryable: true, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 20);
    const started = Date.now();
    await expect(pending).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(sleep(10, AbortSignal.abort(new Error('before')))).rejects.toThrow('before');
  });
});

describe('fetchOnce', () => {
  it('turns a failure to get any answer into a HeimdallNetworkError naming the request, not its query', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    const failing = fetchOnce(() => Promise.reject(cause));
    const err = await failing(new Request('http://127.0.0.1:9/v1/users?q=secret-ish')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeimdallNetworkError);
    expect(err).toMatchObject({
      name: 'HeimdallNetworkError',
      message: 'GET http://127.0.0.1:9/v1/users failed: connect ECONNREFUSED 127.0.0.1:9',
      cause,
    });
  });

  it("lets the caller's abort through as it is", async () => {
    const reason = new DOMException('stop', 'AbortError');
    const request = new Request('http://127.0.0.1:9/v1/me', { signal: AbortSignal.abort(reason) });
    await expect(fetchOnce(() => Promise.reject(reason))(request)).rejects.toBe(reason);
  });
});
