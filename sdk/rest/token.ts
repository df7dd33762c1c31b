import { HeimdallApiError } from './errors.js';

/** An OAuth client of Heimdall ID allowed the `client_credentials` grant (docs/oidc.md). */
export interface ClientCredentials {
  /** Heimdall ID's token endpoint. Default: the client's baseUrl + `/oidc/token`. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** The scopes to ask for, space-separated or as a list; the token holds what the client may have of them. */
  scope?: string | readonly string[];
  /** A resource indicator (RFC 8707), when the token is for another API than Heimdall's own. */
  resource?: string;
}

/** Where the client gets the Bearer credential for each request. */
export interface TokenSource {
  /** The credential to send now. Concurrent callers share one token request. */
  get(): Promise<string>;
  /** The API refused `token` (401): the next get() asks for a new one, unless one came meanwhile. */
  refused(token: string): void;
}

interface Cached {
  token: string;
  /** When to ask for the next one: ahead of expiry, so no request goes out with a token about to lapse. */
  renewAt: number;
}

/** Renew this long before expiry, or after half the lifetime for tokens shorter than twice this. */
const RENEW_AHEAD_MS = 60_000;
/** A token response without `expires_in` is used until the API refuses it, or at most this long. */
const UNSTATED_LIFETIME_MS = 5 * 60_000;

interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
}

/**
 * Access tokens from the client credentials grant (RFC 6749 §4.4), kept until shortly before they expire. The
 * client authenticates with HTTP Basic (client_secret_basic, what Heimdall ID's clients use). Neither the
 * secret nor a token is ever logged or put into an error.
 */
export function clientCredentialsTokens(
  credentials: ClientCredentials & { tokenUrl: string },
  deps: {
    /** Sends a token request (built anew for each attempt), retrying as the client's policy allows. */
    send: (request: () => Request) => Promise<Response>;
    now?: () => number;
  },
): TokenSource {
  const now = deps.now ?? Date.now;
  let cached: Cached | undefined;
  let inFlight: Promise<string> | undefined;

  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const scope = typeof credentials.scope === 'string' ? credentials.scope : credentials.scope?.join(' ');
  if (scope) form.set('scope', scope);
  if (credentials.resource) form.set('resource', credentials.resource);
  // RFC 6749 §2.3.1: both parts form-encoded before Base64, which also keeps btoa to ASCII.
  const basic = btoa(
    `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
  );
  const request = () =>
    new Request(credentials.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
    });

  async function fetchToken(): Promise<string> {
    const response = await deps.send(request);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: a proxy's page; the error below says what status came.
    }
    if (!response.ok) throw HeimdallApiError.fromResponse(response, body, now());
    const answer = body as Partial<TokenResponse> | null;
    if (typeof answer?.access_token !== 'string') {
      throw new HeimdallApiError({
        status: response.status,
        code: `http.${response.status}`,
        message: 'The token endpoint answered without an access token.',
        requestId: response.headers.get('x-request-id') ?? undefined,
      });
    }
    const lifetimeMs =
      typeof answer.expires_in === 'number' && answer.expires_in > 0
        ? answer.expires_in * 1000
        : UNSTATED_LIFETIME_MS;
    cached = {
      token: answer.access_token,
      renewAt: now() + lifetimeMs - Math.min(RENEW_AHEAD_MS, lifetimeMs / 2),
    };
    return answer.access_token;
  }

  return {
    get() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    refused(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
