import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SocialPlatformId, SocialProviderConfig } from '../../../schemas/social.js';

/**
 * What every fake provider shares: the interface tests drive it through, the state behind it, and a small HTTP
 * server on loopback that routes `METHOD /path` to handlers. The fakes speak each provider's real endpoints and
 * answer shapes, keep only what they issued, in memory, and answer the authorize step with a redirect, so a
 * real browser can be sent through them too.
 */

export interface FakeUser {
  id: string;
  username: string;
  displayName?: string;
  email?: string;
  emailVerified?: boolean;
  avatarUrl?: string;
  /** Google: the person's YouTube channel (`UC…`); none when left out. */
  youtubeChannelId?: string;
}

export interface FakeProvider {
  platform: SocialPlatformId;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Enabled, with client id and secret, auth_url and api_url pointing at this fake (Discord's api_url is url + /api). */
  config: SocialProviderConfig;
  /** Who approves the next sign-ins, or 'deny' to refuse them. */
  signInAs(user: FakeUser | 'deny'): void;
  /** Refuses refresh tokens (400 invalid_grant) until called with false. */
  refuseRefresh(refuse?: boolean): void;
  /** Lifetime, in seconds, of the access tokens issued from now on. */
  accessTokenLifetime: number;
  /** Tokens revoked upstream, in order. */
  readonly revoked: string[];
  readonly refreshCount: number;
  /** The query of the last authorize request. */
  readonly lastAuthorize: URLSearchParams | undefined;
  /** `METHOD /path` of every request the fake received, in order. */
  readonly requests: string[];
  /** Follows an authorization URL like a browser would: returns the callback URL the provider redirected to. */
  authorize(url: string | URL): Promise<URL>;
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /** Who approves sign-ins until signInAs says otherwise. */
  user?: FakeUser;
  /** Seconds; 3600 unless given. */
  accessTokenLifetime?: number;
}

/** The mutable state behind a FakeProvider, which the platform's handlers read. */
export interface FakeState {
  user: FakeUser | 'deny';
  refuseRefresh: boolean;
  accessTokenLifetime: number;
  revoked: string[];
  refreshCount: number;
  lastAuthorize: URLSearchParams | undefined;
  requests: string[];
}

export interface FakeClient {
  id: string;
  secret: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** Handlers by `METHOD /path`. */
export type Routes = Record<string, Handler>;

/** What a platform's module is given to build its routes. */
export interface FakeContext {
  state: FakeState;
  client: FakeClient;
  /** The fake's own URL, known once it listens. */
  url(): string;
}

export const randomToken = (bytes = 24): string => randomBytes(bytes).toString('base64url');

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const text = (body: string, status = 200, type = 'text/plain; charset=utf-8'): FakeResponse => ({
  status,
  headers: { 'content-type': type },
  body,
});

export const redirect = (location: string | URL): FakeResponse => ({
  status: 302,
  headers: { location: String(location) },
});

export const formOf = (request: FakeRequest): URLSearchParams => new URLSearchParams(request.body);

export function jsonOf(request: FakeRequest): Record<string, unknown> {
  try {
    const body: unknown = JSON.parse(request.body);
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The token of an `Authorization: <scheme> <token>` header. */
export function tokenOf(request: FakeRequest, scheme = 'Bearer'): string | undefined {
  const [given, token] = (request.headers.authorization ?? '').split(' ');
  return given?.toLowerCase() === scheme.toLowerCase() ? token : undefined;
}

/** The client id and secret of an HTTP Basic header (RFC 6749 §2.3.1), or of the form. */
export function clientOf(request: FakeRequest, form: URLSearchParams): Partial<FakeClient> {
  const basic = tokenOf(request, 'Basic');
  if (basic) {
    const [id, secret] = Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
    return { id, secret };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

/**
 * Serves `answer` on loopback only, on a port of the system's choosing, noting each request as `METHOD /path` in
 * `requests`; an answer that throws is a 500.
 */
export async function serveFake(
  answer: (request: FakeRequest) => FakeResponse | Promise<FakeResponse>,
  requests: string[],
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: target.pathname,
        query: target.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(`${request.method} ${request.path}`);
      Promise.resolve()
        .then(() => answer(request))
        .catch((err: unknown) => json({ error: 'server_error', error_description: String(err) }, 500))
        .then((response) => {
          res.writeHead(response.status, response.headers);
          res.end(response.body);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The routes of one fake provider, by `METHOD /path`; anything else is a 404. */
export function listen(routes: Routes, state: FakeState): Promise<{ url: string; close(): Promise<void> }> {
  return serveFake((request) => {
    const handler = routes[`${request.method} ${request.path}`];
    return handler ? handler(request) : json({ error: 'not_found' }, 404);
  }, state.requests);
}
