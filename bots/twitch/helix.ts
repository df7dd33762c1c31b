import type { TwitchTokens } from './tokens.js';

/** Twitch refused a Helix call; `status` and Twitch's `message` say why. */
export class TwitchApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwitchApiError';
  }
}

export interface HelixUser {
  id: string;
  login: string;
  display_name: string;
}

type Query = Record<string, string | string[]>;

/**
 * Helix over fetch, each call with a Heimdall user's Twitch token. Twitch answers 401 for a token it no longer
 * takes (revoked, or expired before Heimdall knew): that token is dropped and the call made once more with what
 * Heimdall hands out then.
 */
export class Helix {
  constructor(
    private readonly baseUrl: string,
    private readonly clientId: string,
    private readonly tokens: TwitchTokens,
    private readonly fetch: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  async call<T>(
    method: 'GET' | 'POST',
    path: string,
    asUser: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      for (const v of [value].flat()) url.searchParams.append(name, v);
    }
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get(asUser);
      const response = await this.fetch(url, {
        method,
        headers: {
          'client-id': this.clientId,
          authorization: `Bearer ${token.access_token}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 401 && attempt === 0) {
        this.tokens.invalidate(asUser, token.access_token);
        await response.body?.cancel();
        continue;
      }
      const text = await response.text();
      const body = parseJson(text);
      if (!response.ok) {
        const message = (body as { message?: unknown } | undefined)?.message;
        throw new TwitchApiError(
          response.status,
          `Twitch answered ${method} ${path} with ${response.status}: ${typeof message === 'string' ? message : text}`,
        );
      }
      return body as T;
    }
  }

  /** Users by login or id (up to 100 of each); those Twitch does not know are left out. */
  async users(asUser: string, by: { login?: string[]; id?: string[] }): Promise<HelixUser[]> {
    const query: Query = {};
    if (by.login?.length) query.login = by.login;
    if (by.id?.length) query.id = by.id;
    const { data } = await this.call<{ data: HelixUser[] }>('GET', '/users', asUser, { query });
    return data;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
