import dns from 'node:dns';
import net from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { waitUntil } from '../support/wait.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  useOidcPlatform,
} from '../support/oidc.js';

/**
 * Back-channel logout goes only where the outbound rule allows, checked at registration (the URI as written)
 * and at delivery (every address the host resolves to then). Host names are resolved by an injected resolver,
 * and a connect guard fails the suite if any socket is opened to an address outside loopback.
 */
const NAMES: Record<string, string[]> = {
  'rp.allowed.test': ['127.0.0.1'], // allowed by name in allowed_private
  'rp.private.test': ['127.0.0.1'], // a name that resolves to loopback: refused at delivery
  'rp.rebind.test': ['93.184.216.34', '127.0.0.1'], // one public address, one loopback: refused
};
const resolved: string[] = [];
const resolveHost = async (host: string) => {
  resolved.push(host);
  const addresses = NAMES[host];
  if (!addresses) throw new Error(`the test resolver does not know ${host}`);
  return addresses;
};

/** Every connection this process opens must go to loopback. */
const outside: string[] = [];
const isLoopback = (address: string) =>
  /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1';
const originalConnect = net.Socket.prototype.connect;
function installConnectGuard() {
  net.Socket.prototype.connect = function guarded(this: net.Socket, ...args: unknown[]) {
    // net.connect passes its arguments normalized, as one array: [options, callback].
    const given = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const options = (
      typeof given[0] === 'object' && given[0] !== null ? given[0] : {}
    ) as net.TcpNetConnectOpts;
    const host = options.host ?? (typeof given[1] === 'string' ? given[1] : undefined);
    if (host && net.isIP(host) && !isLoopback(host)) {
      outside.push(host);
      throw new Error(`connect guard: ${host} is not loopback`);
    }
    if (host && !net.isIP(host)) {
      // A name: the addresses its lookup answers are checked before the socket may use them.
      const lookup = options.lookup ?? (dns.lookup as net.LookupFunction);
      options.lookup = ((name, opts, callback) =>
        lookup(name, opts, (err, address, family) => {
          const list = Array.isArray(address)
            ? address.map((a: { address: string }) => a.address)
            : [address];
          const bad = list.filter((a) => a && !isLoopback(a));
          if (!err && bad.length > 0) {
            outside.push(`${name}=${bad.join(',')}`);
            return callback(new Error(`connect guard: ${bad.join(', ')} is not loopback`), '', 4);
          }
          return (callback as (...a: unknown[]) => void)(err, address, family);
        })) as net.LookupFunction;
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
}

describe('Heimdall ID: where back-channel logouts go', () => {
  beforeAll(installConnectGuard);
  afterAll(() => {
    net.Socket.prototype.connect = originalConnect;
  });
  const t = useOidcPlatform(
    { HEIMDALL__OIDC__BACKCHANNEL_LOGOUT__ALLOWED_PRIVATE: 'rp.allowed.test' },
    undefined,
    {
      resolveHost,
    },
  );

  /** The test RP: answers each back-channel logout with the next status of `answers` (then 200). */
  let rp: Server;
  let port = 0;
  const received: string[] = [];
  let answers: number[] = [];
  beforeAll(async () => {
    rp = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.headers.host} ${new URLSearchParams(body).has('logout_token')}`);
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    port = (rp.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => rp.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });
  afterEach(() => expect(outside).toEqual([]));

  /** Signs a person in to a first-party app with this back-channel URI, then signs out of Heimdall. */
  async function signInAndOut(backchannelLogoutUri: string) {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true, backchannelLogoutUri });
    const a = await authorizationRequest(t.url, c);
    const person = new Person(t.url);
    const result = await person.signIn(a.url, c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(a.config, new URL(result.callback!), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    const page = await person.follow(
      client.buildEndSessionUrl(a.config, { id_token_hint: tokens.id_token! }).toString(),
      'never',
    );
    const [logoutForm] = forms(page.body, t.url);
    await person.follow(logoutForm!.action, 'never', { form: { ...logoutForm!.fields, logout: 'yes' } });
    return { user, c };
  }

  const failures = async (clientId: string) => {
    await t.platform.services.audit.flush();
    return t.platform.databases
      .audit('AuditEvent')
      .where({ event_type: 'logout', status: 'failure', resource_id: clientId });
  };

  const metric = async (outcome: string) => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`heimdall_oidc_backchannel_logouts{outcome="${outcome}"}`));
    return Number(line?.split(' ')[1] ?? 0);
  };

  it('registration refuses loopback, private and special-use addresses as written', async () => {
    const ownerId = await createUser(t.db, { roleIds: ['role_developer'], twoFactor: true });
    const { key } = await createKey(t.db, { userId: ownerId, roleIds: ['role_api_full_access'] });
    for (const uri of [
      'http://127.0.0.1:6379/',
      'http://localhost:6379/',
      'http://[::1]/logout',
      'https://10.0.0.5/logout',
      'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:127.0.0.1]/logout',
      'https://[fd00::1]/logout',
    ]) {
      const res = await call(t.url, 'POST', '/v1/oauth-clients', {
        key,
        body: { name: 'App', redirect_uris: ['https://app.example/cb'], backchannel_logout_uri: uri },
      });
      expect({ uri, status: res.status, code: res.body.error?.code }).toEqual({
        uri,
        status: 400,
        code: 'request.validation_failed',
      });
      expect(res.body.error.details.fields).toEqual([
        expect.objectContaining({
          field: 'backchannel_logout_uri',
          message: expect.stringContaining('private'),
        }),
      ]);
    }
    // A public address or a name is accepted; names are judged when resolved, at delivery.
    for (const uri of ['https://93.184.216.34/logout', 'https://rp.private.test/logout']) {
      const res = await call(t.url, 'POST', '/v1/oauth-clients', {
        key,
        body: { name: 'App', redirect_uris: ['https://app.example/cb'], backchannel_logout_uri: uri },
      });
      expect([uri, res.status, res.body.error]).toEqual([uri, 201, undefined]);
    }
    expect(resolved).toEqual([]);
  });

  it('a name allowed in allowed_private is delivered to', async () => {
    await signInAndOut(`http://rp.allowed.test:${port}/backchannel`);
    expect(received).toEqual([`rp.allowed.test:${port} true`]);
  });

  it.each([
    ['resolves to loopback', 'rp.private.test'],
    ['resolves to a public and a loopback address', 'rp.rebind.test'],
  ])('a name that %s is refused at delivery, visibly and without a retry', async (_what, host) => {
    const before = await metric('refused');
    const { c, user } = await signInAndOut(`http://${host}:${port}/backchannel`);
    expect(resolved).toContain(host);
    expect(received).toEqual([]);
    const [event] = await failures(c.clientId);
    expect(event).toMatchObject({ user_id: user.id, source_service: 'id' });
    expect(event.metadata).toMatchObject({ backchannel_logout: 'refused', attempts: 1 });
    expect(await metric('refused')).toBe(before + 1);
  });

  it('a failed delivery is retried with a pause, and counted', async () => {
    answers = [503];
    const retriedBefore = await metric('retried');
    const { c } = await signInAndOut(`http://rp.allowed.test:${port}/backchannel`);
    expect(received).toHaveLength(1);
    await waitUntil(() => received.length === 2, 'the retry');
    expect(await metric('retried')).toBe(retriedBefore + 1);
    expect(await failures(c.clientId)).toEqual([]);
  });
});
