import { createHmac, randomBytes } from 'node:crypto';
import {
  formOf,
  json,
  redirect,
  text,
  type FakeContext,
  type FakeRequest,
  type FakeUser,
  type Routes,
} from './harness.js';

/**
 * Steam: OpenID 2.0 (openid.net/specs/openid-authentication-2_0.html) at /openid/login. checkid_setup answers
 * with a redirect carrying a positive assertion signed with HMAC-SHA256 over the key-value form of the signed
 * fields (§10.1, §6.1); check_authentication recomputes that signature and answers once per assertion (§11.4.2),
 * in key-value form (§4.1.1). `/ISteamUser/GetPlayerSummaries/v0002/` answers with the Web API key.
 */
const OPENID_NS = 'http://specs.openid.net/auth/2.0';
const IDENTIFIER_SELECT = `${OPENID_NS}/identifier_select`;
const SIGNED = [
  'signed',
  'op_endpoint',
  'claimed_id',
  'identity',
  'return_to',
  'response_nonce',
  'assoc_handle',
];

export function steamFake(context: FakeContext): Routes {
  const { state, client } = context;
  const key = randomBytes(32);
  const assocHandle = randomBytes(12).toString('hex');
  const checked = new Set<string>();
  const signedIn = new Map<string, FakeUser>();
  const endpoint = () => `${context.url()}/openid/login`;

  const signature = (fields: URLSearchParams) => {
    const names = (fields.get('openid.signed') ?? '').split(',');
    const keyValues = names.map((name) => `${name}:${fields.get(`openid.${name}`) ?? ''}\n`).join('');
    return createHmac('sha256', key).update(keyValues).digest('base64');
  };

  const keyValueForm = (isValid: boolean) => text(`ns:${OPENID_NS}\nis_valid:${isValid}\n`);

  /** §9 checkid_setup: the person (as set with signInAs) signs in, or cancels. */
  function checkidSetup(query: URLSearchParams) {
    state.lastAuthorize = new URLSearchParams(query);
    const returnTo = query.get('openid.return_to');
    const realm = query.get('openid.realm') ?? '';
    const selectsIdentity = ['openid.identity', 'openid.claimed_id'].every(
      (n) => query.get(n) === IDENTIFIER_SELECT,
    );
    if (query.get('openid.ns') !== OPENID_NS || !selectsIdentity || !returnTo?.startsWith(realm) || !realm) {
      return text('Invalid OpenID request', 400, 'text/html; charset=utf-8');
    }
    const back = new URL(returnTo);
    if (state.user === 'deny') {
      back.searchParams.set('openid.ns', OPENID_NS);
      back.searchParams.set('openid.mode', 'cancel');
      return redirect(back);
    }
    signedIn.set(state.user.id, state.user);
    const claimedId = `${context.url()}/openid/id/${state.user.id}`;
    const assertion = new URLSearchParams({
      'openid.ns': OPENID_NS,
      'openid.mode': 'id_res',
      'openid.op_endpoint': endpoint(),
      'openid.claimed_id': claimedId,
      'openid.identity': claimedId,
      'openid.return_to': returnTo,
      'openid.response_nonce': `${new Date().toISOString().slice(0, 19)}Z${randomBytes(20).toString('base64')}`,
      'openid.assoc_handle': assocHandle,
      'openid.signed': SIGNED.join(','),
    });
    assertion.set('openid.sig', signature(assertion));
    for (const [name, value] of assertion) back.searchParams.set(name, value);
    return redirect(back);
  }

  /** §11.4.2: the signature of the fields as given, each assertion confirmed at most once. */
  function checkAuthentication(request: FakeRequest) {
    const fields = formOf(request);
    const nonce = fields.get('openid.response_nonce') ?? '';
    const valid =
      fields.get('openid.assoc_handle') === assocHandle &&
      fields.get('openid.sig') === signature(fields) &&
      !checked.has(nonce);
    if (valid) checked.add(nonce);
    return keyValueForm(valid);
  }

  return {
    'GET /openid/login': (request) =>
      request.query.get('openid.mode') === 'checkid_setup'
        ? checkidSetup(request.query)
        : text('Invalid OpenID request', 400, 'text/html; charset=utf-8'),
    'POST /openid/login': (request) =>
      formOf(request).get('openid.mode') === 'check_authentication'
        ? checkAuthentication(request)
        : text(`ns:${OPENID_NS}\nmode:error\nerror:Invalid mode\n`, 400),
    'GET /ISteamUser/GetPlayerSummaries/v0002/': (request) => {
      if (request.query.get('key') !== client.secret) {
        return text('<html><body><h1>Forbidden</h1></body></html>', 403, 'text/html');
      }
      const ids = (request.query.get('steamids') ?? '').split(',');
      const players = ids.flatMap((id) => signedIn.get(id) ?? []);
      return json({
        response: {
          players: players.map((player) => ({
            steamid: player.id,
            communityvisibilitystate: 3,
            profilestate: 1,
            personaname: player.displayName ?? player.username,
            profileurl: `https://steamcommunity.com/id/${player.username}/`,
            avatar: player.avatarUrl ?? '',
            avatarmedium: player.avatarUrl ?? '',
            avatarfull: player.avatarUrl ?? '',
            personastate: 0,
          })),
        },
      });
    },
  };
}
