import { describe, expect, it } from '@jest/globals';
import { HeimdallApiError } from './errors.js';
import { clientCredentialsTokens, type ClientCredentials } from './token.js';

const CREDENTIALS = {
  tokenUrl: 'https://id.example.test/oidc/token',
  clientId: 'hc_bot',
  clientSecret: 'hcs_s3cret:+/ü',
};

/** A token endpoint that counts its requests and answers what the test scripts, a new token each time. */
function tokenEndpoint(answer: (n: number) => Response | undefined = () => undefined) {
  const requests: Request[] = [];
  let clock = 1_000_000;
  const send = async (build: () => Request) => {
    const request = build();
    requests.push(request);
    // Lets concurrent callers pile up before the answer comes, as they would over a network.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return (
      answer(requests.length) ??
      Response.json({ access_token: `token-${requests.length}`, token_type: 'Bearer', expires_in: 3600 })
    );
  };
  const tokens = (credentials: Partial<ClientCredentials> = {}) =>
    clientCredentialsTokens({ ...CREDENTIALS, ...credentials }, { send, now: () => clock });
  return {
    requests,
    tokens,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('client credentials tokens', () => {
  it('asks the token endpoint as RFC 6749 says: POST, HTTP Basic, the grant, scope and resource', async () => {
    const endpoint = tokenEndpoint();
    await endpoint
      .tokens({ scope: ['users:read', 'twitch:read'], resource: 'https://api.example.test' })
      .get();
    const [request] = endpoint.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(CREDENTIALS.tokenUrl);
    expect(request!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const [id, secret] = atob(request!.headers.get('authorization')!.replace(/^Basic /, '')).split(':');
    expect([decodeURIComponent(id!), decodeURIComponent(secret!)]).toEqual([
      CREDENTIALS.clientId,
      CREDENTIALS.clientSecret,
    ]);
    expect(Object.fromEntries(new URLSearchParams(await request!.text()))).toEqual({
      grant_type: 'client_credentials',
      scope: 'users:read twitch:read',
      resource: 'https://api.example.test',
    });
  });

  it('keeps a token, and concurrent callers share one request for it', async () => {
    const endpoint = tokenEndpoint();
    const tokens = endpoint.tokens({ scope: 'users:read' });
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual([
      'token-1',
      'token-1',
      'token-1',
    ]);
    expect(await tokens.get()).toBe('token-1');
    expect(endpoint.requests).toHaveLength(1);
  });

  it('renews a minute ahead of expiry, or after half the lifetime of a short one', async () => {
    const endpoint = tokenEndpoint((n) =>
      n === 3 ? Response.json({ access_token: 'short', expires_in: 60 }) : undefined,
    );
    const tokens = endpoint.tokens();
    expect(await tokens.get()).toBe('token-1');
    endpoint.advance(3600_000 - 60_001);
    expect(await tokens.get()).toBe('token-1');
    endpoint.advance(1);
    expect(await tokens.get()).toBe('token-2');
    endpoint.advance(3600_000);
    expect(await tokens.get()).toBe('short');
    endpoint.advance(29_999);
    expect(await tokens.get()).toBe('short');
    endpoint.advance(1);
    expect(await tokens.get()).toBe('token-4');
  });

  it('after a refusal asks again, unless the refused token was already replaced', async () => {
    const endpoint = tokenEndpoint();
    const tokens = endpoint.tokens();
    expect(await tokens.get()).toBe('token-1');
    tokens.refused('token-1');
    expect(await tokens.get()).toBe('token-2');
    tokens.refused('token-1');
    expect(await tokens.get()).toBe('token-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it("a refusal is the endpoint's OAuth error, holding neither the secret nor a token; the next call asks again", async () => {
    const endpoint = tokenEndpoint((n) =>
      n === 1
        ? Response.json(
            { error: 'invalid_client', error_description: 'client authentication failed' },
            { status: 401, headers: { 'x-request-id': 'req-7' } },
          )
        : undefined,
    );
    const tokens = endpoint.tokens();
    const refused = await tokens.get().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HeimdallApiError);
    expect(refused).toMatchObject({
      status: 401,
      code: 'invalid_client',
      message: 'client authentication failed',
      requestId: 'req-7',
    });
    expect(JSON.stringify({ ...(refused as object), message: (refused as Error).message })).not.toMatch(
      /s3cret|token-/,
    );
    expect(await tokens.get()).toBe('token-2');
  });

  it('an answer without an access token is an error, and one without expires_in is kept a while', async () => {
    const endpoint = tokenEndpoint((n) =>
      n === 1 ? Response.json({ token_type: 'Bearer' }) : Response.json({ access_token: `plain-${n}` }),
    );
    const tokens = endpoint.tokens();
    await expect(tokens.get()).rejects.toMatchObject({ code: 'http.200' });
    expect(await tokens.get()).toBe('plain-2');
    endpoint.advance(60_000);
    expect(await tokens.get()).toBe('plain-2');
    endpoint.advance(5 * 60_000);
    expect(await tokens.get()).toBe('plain-3');
  });
});
