import type { z } from 'zod';
import { UpstreamError, type ProviderDeps, type UpstreamFailure } from '../types.js';

/**
 * Every call to a provider goes through here: one timeout, one wording of failures, and answers read against a
 * zod schema before anything trusts them. Redirects are not followed: a token goes only to the host configured
 * for it. Errors name the provider, the path, the HTTP status or the network error's code, and carry no cause:
 * a URL's query, a body or a fetch error's text can hold codes, tokens and (Steam) the Web API key.
 */

/** A person waits on most of these calls: a provider that hangs must not hold the sign-in open longer. */
export const UPSTREAM_TIMEOUT_MS = 10_000;

export interface UpstreamHttp {
  /**
   * Sends a request. `unavailable` when the provider cannot be reached, takes too long, fails (5xx) or says it
   * is busy (429): asking again later may work.
   */
  send(url: string | URL, init?: RequestInit): Promise<Response>;
  /** Sends a request and reads its 2xx answer; another status is `refused` (default `invalid_response`). */
  text(url: string | URL, init: RequestInit, refused?: UpstreamFailure): Promise<string>;
  /** As `text`, for a JSON answer of this shape. */
  json<S extends z.ZodType>(
    url: string | URL,
    init: RequestInit,
    schema: S,
    refused?: UpstreamFailure,
  ): Promise<z.output<S>>;
  /** Sends a request whose 2xx answer has nothing to read (revocations); another status is `refused`. */
  ok(url: string | URL, init: RequestInit, refused?: UpstreamFailure): Promise<void>;
}

export function createUpstreamHttp(provider: string, deps: Pick<ProviderDeps, 'fetch'>): UpstreamHttp {
  const fetchImpl = deps.fetch ?? fetch;
  const where = (url: string | URL) => `${provider} (${new URL(url).pathname})`;

  async function send(url: string | URL, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      // Our own deadline replaces any the caller set (openid-client's is 30 s).
      response = await fetchImpl(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (err) {
      const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
      const why = timedOut ? 'did not answer in time' : `could not be reached (${networkCode(err)})`;
      throw new UpstreamError('unavailable', `${where(url)} ${why}`);
    }
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw new UpstreamError('unavailable', `${where(url)} answered HTTP ${response.status}`);
    }
    return response;
  }

  async function checked(url: string | URL, init: RequestInit, refused: UpstreamFailure): Promise<Response> {
    const response = await send(url, init);
    if (response.ok) return response;
    await response.body?.cancel();
    // 401 and 403 refuse Heimdall's client (its id or secret), not the grant: see oauth-failure.ts.
    const failure =
      refused === 'invalid_grant' && [401, 403].includes(response.status) ? 'unavailable' : refused;
    throw new UpstreamError(failure, `${where(url)} answered HTTP ${response.status}`);
  }

  async function text(url: string | URL, init: RequestInit, refused: UpstreamFailure = 'invalid_response') {
    return readText(await checked(url, init, refused), () => where(url));
  }

  return {
    send,
    text,
    async json(url, init, schema, refused) {
      const answer = await text(url, init, refused);
      let body: unknown;
      try {
        body = JSON.parse(answer);
      } catch {
        throw new UpstreamError('invalid_response', `${where(url)} answered something other than JSON`);
      }
      const result = schema.safeParse(body);
      if (result.success) return result.data;
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      throw new UpstreamError(
        'invalid_response',
        `${where(url)} answered in another shape: ${issues.join('; ')}`,
      );
    },
    async ok(url, init, refused = 'invalid_response') {
      const response = await checked(url, init, refused);
      await response.body?.cancel();
    },
  };
}

/** The body, with a deadline that ran out while it arrived worded as one that ran out before. */
export async function readText(response: Response, where: () => string): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    throw new UpstreamError('unavailable', `${where()} broke off its answer (${networkCode(err)})`);
  }
}

/** The code of a failed connection (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…), found on the error or its cause. */
function networkCode(err: unknown): string {
  for (let e = err; e instanceof Error; e = e.cause) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code)) return code;
    if (e instanceof DOMException) return e.name;
  }
  return 'network error';
}

/** Headers of a call made with a user's access token. */
export const withToken = (
  scheme: 'Bearer' | 'OAuth',
  token: string,
  headers: Record<string, string> = {},
) => ({
  headers: { accept: 'application/json', ...headers, authorization: `${scheme} ${token}` },
});

/** `undefined` for the empty strings and nulls providers use for "not set". */
export const present = (value: string | null | undefined): string | undefined => value || undefined;
