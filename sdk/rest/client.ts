import createClient, {
  type Client,
  type ClientPathsWithMethod,
  type FetchResponse,
  type MaybeOptionalInit,
} from 'openapi-fetch';
import { HeimdallApiError } from './errors.js';
import type { paths } from './generated/openapi.js';
import { retriesMethod, retryPolicy, type RetryOptions } from './retry.js';
import { clientCredentialsTokens, type ClientCredentials, type TokenSource } from './token.js';
import { discard, fetchOnce, sendWithRetries, type FetchLike } from './transport.js';

export type HeimdallAuth =
  /** An API key (`hm_…`), sent as `Authorization: Bearer`. */
  | { apiKey: string }
  /**
   * A Heimdall ID access token the app already holds (a page that signed the person in). A function is asked
   * before every request, and once more when the API refuses what it gave, so it can hand over a refreshed one.
   */
  | { accessToken: string | (() => string | Promise<string>) }
  /** Heimdall ID access tokens from the client credentials grant, fetched and renewed as needed. */
  | { clientCredentials: ClientCredentials };

export interface HeimdallClientOptions {
  /** Where Heimdall is served, e.g. `https://id.example.com` (paths start with `/v1`). */
  baseUrl: string;
  auth: HeimdallAuth;
  /** The fetch to send with. Default: the global one, looked up at each request. */
  fetch?: FetchLike;
  /** When to send a request again after 429 or 503 (retry.ts); false: never. */
  retries?: RetryOptions | false;
  /** Sent as User-Agent, so Heimdall's logs tell your bot apart (browsers may keep their own). */
  userAgent?: string;
}

/** The methods the API uses, as openapi-fetch names them in the generated paths. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The paths that have `M`, e.g. `'/v1/users/{id}'` for 'get'. */
export type PathsWith<M extends HttpMethod> = ClientPathsWithMethod<Client<paths>, M>;

/** The body a successful `M path` answers (undefined for 204). */
export type ResponseBody<
  M extends HttpMethod,
  P extends PathsWith<M>,
  Init = MaybeOptionalInit<paths[P], M>,
> =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- openapi-fetch's own constraint on operations
  paths[P][M] extends infer Operation extends Record<string | number, any>
    ? Extract<FetchResponse<Operation, Init, `${string}/${string}`>, { error?: never }>['data']
    : never;

/** Params (path, query) and body as the operation declares them; optional only when nothing in it is required. */
type InitArgs<I> = undefined extends I ? [init?: I] : [init: I];

/** A typed call that answers the success body and throws HeimdallApiError for any other answer. */
export type HeimdallCall<M extends HttpMethod> = <
  P extends PathsWith<M>,
  I extends MaybeOptionalInit<paths[P], M>,
>(
  path: P,
  ...init: InitArgs<I>
) => Promise<ResponseBody<M, P, I>>;

export type Me = ResponseBody<'get', '/v1/me'>;
export type PlatformToken = ResponseBody<'get', '/v1/integrations/{platform}/token'>;
export type PlatformCheck = ResponseBody<'get', '/v1/integrations/{platform}/check'>;

export interface HeimdallClient {
  get: HeimdallCall<'get'>;
  post: HeimdallCall<'post'>;
  put: HeimdallCall<'put'>;
  patch: HeimdallCall<'patch'>;
  delete: HeimdallCall<'delete'>;
  /**
   * openapi-fetch's client over the same base URL, auth and retries. It answers `{ data, error, response }`
   * rather than throwing (network failures still throw), for callers that want the Response itself.
   */
  raw: Client<paths>;
  /** Who the credential is: user, key or OAuth client, roles, permissions, scopes (`GET /v1/me`). */
  me(): Promise<Me>;
  /**
   * A person's access token on a platform, fresh for at least a minute, for a bot acting for them
   * (`GET /v1/integrations/{platform}/token`; needs `<platform>:read` or `integrations:read`).
   */
  platformToken(platform: string, userId: string): Promise<PlatformToken>;
  /**
   * Whether a platform's user (the author of a chat message) may do `permission`, through the Heimdall account
   * they linked; `linked: false` when they linked none (`GET /v1/integrations/{platform}/check`).
   */
  platformCheck(platform: string, platformUserId: string, permission: string): Promise<PlatformCheck>;
  /**
   * The Bearer credential the client sends now: the API key or access token, or a current client credentials
   * token. Hand it to the realtime client as its token function, so both connect as the same caller.
   */
  accessToken(): Promise<string>;
}

/** A raw call with the path's types left behind: the typed helpers above check them. */
type UntypedRequest = (
  method: HttpMethod,
  path: string,
  init?: object,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** Answers the same credential every time: an API key, or an access token handed over as a string. */
const fixed = (credential: string): TokenSource => ({
  get: () => Promise.resolve(credential),
  refused: () => undefined,
});

/** Where the credential comes from, and whether asking again after a 401 may bring a different one. */
function credentialOf(
  auth: HeimdallAuth,
  baseUrl: string,
  sendTokenRequest: (request: () => Request) => Promise<Response>,
): { tokens: TokenSource; renewable: boolean } {
  if ('apiKey' in auth) return { tokens: fixed(auth.apiKey), renewable: false };
  if ('accessToken' in auth) {
    const { accessToken } = auth;
    if (typeof accessToken === 'string') return { tokens: fixed(accessToken), renewable: false };
    return { tokens: { get: async () => accessToken(), refused: () => undefined }, renewable: true };
  }
  const credentials = auth.clientCredentials;
  return {
    tokens: clientCredentialsTokens(
      { ...credentials, tokenUrl: credentials.tokenUrl ?? `${baseUrl}/oidc/token` },
      { send: sendTokenRequest },
    ),
    renewable: true,
  };
}

/**
 * The Heimdall REST client (docs/sdk.md): typed from the OpenAPI document, authenticating with an API key, an
 * access token or client credentials, waiting out 429 and 503 as Retry-After asks, and throwing
 * HeimdallApiError for every answer that is not a success. Nothing here is Node's: it runs wherever there is
 * a standard fetch.
 */
export function createHeimdallClient(options: HeimdallClientOptions): HeimdallClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const policy = retryPolicy(options.retries);
  const send = fetchOnce(options.fetch ?? ((request) => globalThis.fetch(request)));

  // The grant may be asked again at will (it only issues another token), whatever the policy's methods.
  const { tokens, renewable } = credentialOf(options.auth, baseUrl, (request) =>
    sendWithRetries(() => send(request()), { policy, retryable: true }),
  );

  const authorized = (request: Request, credential: string): Request => {
    const outgoing = request.clone();
    outgoing.headers.set('authorization', `Bearer ${credential}`);
    if (options.userAgent) outgoing.headers.set('user-agent', options.userAgent);
    return outgoing;
  };

  /** One send with the current credential; a refused token is renewed and the request sent once more. */
  const attempt = async (request: Request): Promise<Response> => {
    const credential = await tokens.get();
    const response = await send(authorized(request, credential));
    if (response.status !== 401 || !renewable) return response;
    tokens.refused(credential);
    await discard(response);
    return send(authorized(request, await tokens.get()));
  };

  const raw = createClient<paths>({
    baseUrl,
    fetch: (request) =>
      sendWithRetries(() => attempt(request), {
        policy,
        retryable: retriesMethod(policy, request.method),
        signal: request.signal,
      }),
  });

  const request = raw.request as unknown as UntypedRequest;
  const call =
    <M extends HttpMethod>(method: M): HeimdallCall<M> =>
    async (path, ...[init]) => {
      const { data, error, response } = await request(method, path, init);
      if (!response.ok) throw HeimdallApiError.fromResponse(response, error);
      return data as never;
    };

  const client: HeimdallClient = {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    patch: call('patch'),
    delete: call('delete'),
    raw,
    me: () => client.get('/v1/me'),
    platformToken: (platform, userId) =>
      client.get('/v1/integrations/{platform}/token', {
        params: { path: { platform }, query: { user_id: userId } },
      }),
    platformCheck: (platform, platformUserId, permission) =>
      client.get('/v1/integrations/{platform}/check', {
        params: { path: { platform }, query: { platform_user_id: platformUserId, permission } },
      }),
    accessToken: () => tokens.get(),
  };
  return client;
}
