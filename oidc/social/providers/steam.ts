import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import { UpstreamError, type FlowSecrets, type ProviderDeps, type UpstreamProvider } from '../types.js';
import { only, wording } from './callback.js';
import { createUpstreamHttp, present } from './upstream-http.js';

/**
 * Steam (partner.steamgames.com/doc/features/auth#website): OpenID 2.0, which no maintained library speaks any
 * more. The person comes back with an assertion naming their SteamID; Heimdall checks it was made by Steam's
 * endpoint, for this sign-in, recently and once, then has Steam confirm its signature (stateless mode, OpenID 2.0
 * §11.4.2). Steam gives no tokens and no address; the profile is read with the Web API key (the client secret).
 */

const OPENID_NS = 'http://specs.openid.net/auth/2.0';
const IDENTIFIER_SELECT = `${OPENID_NS}/identifier_select`;

/** OpenID 2.0 §10.1: what a positive assertion must sign, so that none of it can be swapped afterwards. */
const MUST_BE_SIGNED = [
  'op_endpoint',
  'return_to',
  'response_nonce',
  'assoc_handle',
  'claimed_id',
  'identity',
];

/** How far a response_nonce's time may be from ours, either way; a nonce is remembered for the whole window. */
const NONCE_WINDOW_SECONDS = 300;

/** OpenID 2.0 §10.1: a timestamp in UTC, then at most 255 characters in all. */
const NONCE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)[\x21-\x7e]*$/;

const playerSummaries = z.object({
  response: z.object({
    players: z.array(
      z.object({ steamid: z.string(), personaname: z.string(), avatarfull: z.string().optional() }),
    ),
  }),
});

/** Where Steam sends the person back: the callback, with the state in it, so the signed return_to binds it. */
export function steamReturnTo(secrets: Pick<FlowSecrets, 'redirectUri' | 'state'>): string {
  const url = new URL(secrets.redirectUri);
  url.searchParams.set('state', secrets.state);
  return url.href;
}

export function createSteamProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  const http = createUpstreamHttp('steam', deps);
  const endpoint = `${config.auth_url}/openid/login`;
  const claimedId = new RegExp(`^${escapeRegExp(config.auth_url)}/openid/id/(\\d{17})$`);
  const forged = (why: string) => new UpstreamError('forged_assertion', `the Steam assertion ${why}`);

  /** The SteamID the assertion names, once everything Heimdall can check itself holds. */
  function checkAssertion(fields: Map<string, string>, expected: FlowSecrets): string {
    if (fields.get('openid.ns') !== OPENID_NS) throw forged('is not OpenID 2.0');
    if (fields.get('openid.op_endpoint') !== endpoint) throw forged('names another OpenID provider');
    if (fields.get('openid.return_to') !== steamReturnTo(expected))
      throw forged('was made for another sign-in');
    const claimed = fields.get('openid.claimed_id') ?? '';
    const steamId = claimedId.exec(claimed)?.[1];
    if (!steamId || fields.get('openid.identity') !== claimed) throw forged('names no account of this Steam');
    const signed = (fields.get('openid.signed') ?? '').split(',');
    if (!fields.get('openid.sig') || !MUST_BE_SIGNED.every((field) => signed.includes(field))) {
      throw forged('leaves fields unsigned');
    }
    return steamId;
  }

  /** OpenID 2.0 §11.3: a nonce from within the window, seen for the first time. */
  async function checkNonce(nonce: string): Promise<void> {
    const at = Date.parse(NONCE.exec(nonce)?.[1] ?? '');
    if (nonce.length > 255 || !(Math.abs(Date.now() - at) <= NONCE_WINDOW_SECONDS * 1000))
      throw forged('is stale');
    if (!(await deps.firstUse(`steam:openid-nonce:${nonce}`, 2 * NONCE_WINDOW_SECONDS))) {
      throw forged('was used before');
    }
  }

  /** OpenID 2.0 §11.4.2.1: the same fields back to Steam, which answers in key-value form (§4.1.1). */
  async function confirmSignature(fields: Map<string, string>): Promise<void> {
    const body = new URLSearchParams([...fields]);
    body.set('openid.mode', 'check_authentication');
    const answer = await http.text(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/plain' },
      body,
    });
    const pairs = keyValueForm(answer);
    if (pairs.get('ns') !== OPENID_NS || pairs.get('is_valid') !== 'true')
      throw forged('is not confirmed by Steam');
  }

  async function readProfile(steamId: string) {
    const url = new URL(`${config.api_url}/ISteamUser/GetPlayerSummaries/v0002/`);
    url.search = new URLSearchParams({ key: config.client_secret, steamids: steamId }).toString();
    const init = { headers: { accept: 'application/json' } };
    const player = (await http.json(url, init, playerSummaries)).response.players.find(
      (p) => p.steamid === steamId,
    );
    if (!player) throw new UpstreamError('invalid_response', 'steam has no profile for the account it named');
    return {
      id: steamId,
      username: player.personaname,
      displayName: player.personaname,
      avatarUrl: present(player.avatarfull),
      emailVerified: false,
    };
  }

  return {
    id: 'steam',
    pkce: false,
    scopes: config.scopes,
    integrationScopes: config.integration_scopes,

    async authorizationUrl(request) {
      const url = new URL(endpoint);
      url.search = new URLSearchParams({
        'openid.ns': OPENID_NS,
        'openid.mode': 'checkid_setup',
        'openid.return_to': steamReturnTo(request),
        'openid.realm': new URL(request.redirectUri).origin,
        'openid.identity': IDENTIFIER_SELECT,
        'openid.claimed_id': IDENTIFIER_SELECT,
      }).toString();
      return url;
    },

    async complete(callback, expected) {
      const mode = only(callback, 'openid.mode');
      if (mode === 'cancel')
        throw new UpstreamError('access_denied', 'steam answered that the sign-in was cancelled');
      if (only(callback, 'state') !== expected.state) {
        throw new UpstreamError('state_mismatch', 'the answer from steam is not to this sign-in');
      }
      if (mode !== 'id_res')
        throw new UpstreamError('invalid_response', `steam answered mode ${wording(mode ?? '')}`);
      const fields = openIdFields(callback);
      if (!fields) throw forged('repeats a field');
      const steamId = checkAssertion(fields, expected);
      await checkNonce(fields.get('openid.response_nonce') ?? '');
      await confirmSignature(fields);
      return { profile: await readProfile(steamId) };
    },
  };
}

/** The openid.* fields of the answer; undefined when one is given twice, as it cannot be told which is signed. */
function openIdFields(callback: URLSearchParams): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const [name, value] of callback) {
    if (!name.startsWith('openid.')) continue;
    if (fields.has(name)) return undefined;
    fields.set(name, value);
  }
  return fields;
}

function keyValueForm(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) pairs.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return pairs;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
