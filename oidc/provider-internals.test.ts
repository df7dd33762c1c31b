import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Provider from 'oidc-provider';
import { installedVersion, withinRange } from '../test/support/installed.js';
import {
  checkClientSecretsWith,
  OIDC_PROVIDER_CHECKED_BELOW,
  OIDC_PROVIDER_CHECKED_FROM,
} from './provider-internals.js';

/**
 * Fails on an oidc-provider upgrade that moves what provider-internals.ts replaces: re-check it, then move the
 * range. A real provider over HTTP, whose one client stores a secret that only the replacement accepts.
 */
describe('oidc-provider internals', () => {
  let server: Server;
  let port: number;
  const presented: unknown[] = [];

  beforeAll(async () => {
    const provider = new Provider('http://127.0.0.1/oidc', {
      clients: [
        {
          client_id: 'machine',
          client_secret: 'stored-form-of-the-secret',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    });
    checkClientSecretsWith(provider, (stored, actual) => {
      presented.push(actual);
      return stored === 'stored-form-of-the-secret' && actual === 'the-secret';
    });
    const callback = provider.callback();
    server = createServer((req, res) => void callback(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const grant = (secret: string) =>
    fetch(`http://127.0.0.1:${port}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`machine:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });

  it('the installed oidc-provider is within the checked range', () => {
    expect(
      withinRange(installedVersion('oidc-provider'), OIDC_PROVIDER_CHECKED_FROM, OIDC_PROVIDER_CHECKED_BELOW),
    ).toBe(true);
  });

  it('the client model has compareClientSecret(actual)', () => {
    const original = (
      new Provider('http://127.0.0.1/x').Client.prototype as unknown as Record<string, unknown>
    ).compareClientSecret;
    expect(typeof original).toBe('function');
    expect((original as (...args: unknown[]) => unknown).length).toBe(1);
  });

  it('client authentication goes through the replacement, with the presented secret', async () => {
    const accepted = await grant('the-secret');
    expect(accepted.status).toBe(200);
    expect(presented).toEqual(['the-secret']);
    // The stored form itself is no longer a secret that passes.
    const refused = await grant('stored-form-of-the-secret');
    expect(refused.status).toBe(401);
  });
});
