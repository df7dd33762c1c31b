import { HeimdallNetworkError } from './errors.js';
import { parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry.js';

/** What the client sends requests with: the standard fetch, as browsers, Node and undici offer it. */
export type FetchLike = (request: Request) => Promise<Response>;

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * fetch whose failures to get any answer are HeimdallNetworkErrors. The caller's own abort stays what it is,
 * so `signal` works as with fetch.
 */
export function fetchOnce(fetch: FetchLike): FetchLike {
  return async (request) => {
    try {
      return await fetch(request);
    } catch (err) {
      if (request.signal.aborted) throw err;
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause : err).message : String(err);
      const { origin, pathname } = new URL(request.url);
      throw new HeimdallNetworkError(`${request.method} ${origin}${pathname} failed: ${reason}`, {
        cause: err,
      });
    }
  };
}

/** Lets a response go unread: its connection is free again at once rather than when it is collected. */
export const discard = (response: Response): Promise<void> =>
  response.body?.cancel().catch(() => undefined) ?? Promise.resolve();

export interface RetryContext {
  policy: RetryPolicy;
  /** The request may be sent again at all (its method is in the policy, or it is safe by nature). */
  retryable: boolean;
  signal?: AbortSignal | null | undefined;
  sleep?: typeof sleep;
  random?: () => number;
  now?: () => number;
}

/**
 * Sends with `attempt` (which builds the request anew each time) until the answer is not one to wait out, or
 * the policy says to stop; then that answer is the caller's, to read or turn into an error.
 */
export async function sendWithRetries(
  attempt: () => Promise<Response>,
  context: RetryContext,
): Promise<Response> {
  const { policy, retryable, signal, sleep: wait = sleep, random = Math.random, now = Date.now } = context;
  for (let sent = 1; ; sent += 1) {
    const response = await attempt();
    if (!retryable) return response;
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now());
    const delay = retryDelayMs({ attempt: sent, status: response.status, retryAfterSeconds }, policy, random);
    if (delay === undefined) return response;
    await discard(response);
    await wait(delay, signal);
  }
}
