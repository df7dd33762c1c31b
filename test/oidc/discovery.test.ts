import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import { AUTH_METHODS } from '../../schemas/oauth-clients.js';
import { useOidcPlatform } from '../support/oidc.js';

/** Discovery advertises what a registered client can actually use, and nothing more. */
describe('Heimdall ID: discovery', () => {
  const t = useOidcPlatform();

  it('names only the client authentication methods a client can be registered with', async () => {
    const { body } = await call(t.url, 'GET', '/oidc/.well-known/openid-configuration');
    expect([...body.token_endpoint_auth_methods_supported].sort()).toEqual([...AUTH_METHODS].sort());
    // Absent means "the same as the token endpoint's" (RFC 8414 §2).
    for (const key of [
      'introspection_endpoint_auth_methods_supported',
      'revocation_endpoint_auth_methods_supported',
    ]) {
      if (key in body) expect([...body[key]].sort()).toEqual([...AUTH_METHODS].sort());
    }
    expect(body.token_endpoint_auth_signing_alg_values_supported).toBeUndefined();
  });

  it('names RS256 as the only ID token algorithm (no client can choose another)', async () => {
    const { body } = await call(t.url, 'GET', '/oidc/.well-known/openid-configuration');
    expect(body.id_token_signing_alg_values_supported).toEqual(['RS256']);
  });
});
