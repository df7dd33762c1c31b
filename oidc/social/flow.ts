import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SecretBox } from '../../core/crypto/secret-box.js';
import { isSocialPlatform, type SocialPlatformId } from '../../schemas/social.js';
import type { UpstreamIdentity } from '../../core/linked-accounts/service.js';
import { readCookie } from '../csrf.js';
import { UpstreamError, type FlowSecrets, type UpstreamFailure, type UpstreamProvider } from './types.js';

/**
 * The browser's round trip to an upstream provider: state, PKCE verifier and nonce are made here, kept in a sealed
 * (AES-GCM), HttpOnly, SameSite=Lax cookie for ten minutes, and checked by the provider when the person comes back
 * to `/account/social/<platform>/callback`. The cookie also says what the round trip is for: finishing an OpenID
 * sign-in (its interaction), signing in to the account area, or linking a platform to the signed-in person. A
 * callback without a matching cookie (another browser, a replay, a second tab that started another round trip) is
 * refused before anything is asked of the provider.
 */
export type FlowPurpose =
  | { kind: 'interaction'; uid: string }
  | { kind: 'account'; returnTo: string }
  | { kind: 'link'; userId: string };

interface FlowState extends FlowSecrets {
  platform: SocialPlatformId;
  purpose: FlowPurpose;
  /** The person allowed bots to act for them: the platform's tokens are kept (only then). */
  bots: boolean;
  exp: number;
}

export type FlowOutcome =
  /** `identity.tokens` only when the person allowed bots to act for them. */
  | { ok: true; purpose: FlowPurpose; identity: UpstreamIdentity }
  | { ok: false; purpose?: FlowPurpose | undefined; reason: UpstreamFailure | 'expired' };

const COOKIE = 'heimdall.social';
const COOKIE_PATH = '/account/social';
const TTL_SECONDS = 600;
const SEAL_CONTEXT = 'social sign-in flow';

export interface SocialFlowDeps {
  providers: ReadonlyMap<SocialPlatformId, UpstreamProvider>;
  /** The Platform table: a provider is offered only while its row is enabled. */
  platforms: { list(): Promise<readonly { id: string; name: string; enabled: boolean }[]> };
  box: SecretBox;
  publicUrl: string;
  secure: boolean;
  /** The terms a first sign-in (which creates an account) accepts, shown under the buttons. */
  legal: { termsUrl: string; privacyUrl: string };
}

export function createSocialFlow(deps: SocialFlowDeps) {
  const random = () => randomBytes(32).toString('base64url');

  /**
   * The platforms people may use now: enabled in the Platform table and configured, in sign-in page order; `bots`
   * when the platform has scopes for bots to act for the person.
   */
  const offered = async () =>
    (await deps.platforms.list()).flatMap((p) => {
      const provider = p.enabled && isSocialPlatform(p.id) ? deps.providers.get(p.id) : undefined;
      return provider ? [{ id: provider.id, name: p.name, bots: provider.integrationScopes.length > 0 }] : [];
    });

  const providerOf = async (platform: string) =>
    (await offered()).some((p) => p.id === platform)
      ? deps.providers.get(platform as SocialPlatformId)
      : undefined;

  const readState = (req: Request): FlowState | undefined => {
    const sealed = readCookie(req, COOKIE);
    if (!sealed) return undefined;
    try {
      const state = JSON.parse(deps.box.open(sealed, SEAL_CONTEXT)) as FlowState;
      return state.exp > Date.now() ? state : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    offered,
    legal: deps.legal,

    /** The name the Platform table gives a platform (for messages), else its id. */
    async nameOf(platform: string): Promise<string> {
      return (await deps.platforms.list()).find((p) => p.id === platform)?.name ?? platform;
    },

    /**
     * Sends the person to the provider (303); false, sending nothing, when the platform is not offered. `integration`
     * also asks for what bots need to act for the person (and, at Google, for a refresh token).
     */
    async start(
      res: Response,
      platform: string,
      purpose: FlowPurpose,
      integration = false,
    ): Promise<boolean> {
      const provider = await providerOf(platform);
      if (!provider) return false;
      const state: FlowState = {
        platform: provider.id,
        purpose,
        bots: integration,
        state: random(),
        codeVerifier: random(),
        nonce: random(),
        redirectUri: `${deps.publicUrl}/account/social/${provider.id}/callback`,
        exp: Date.now() + TTL_SECONDS * 1000,
      };
      const url = await provider.authorizationUrl({
        ...state,
        scopes: [...new Set([...provider.scopes, ...(integration ? provider.integrationScopes : [])])],
        offline: integration,
      });
      res.cookie(COOKIE, deps.box.seal(JSON.stringify(state), SEAL_CONTEXT), {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secure,
        path: COOKIE_PATH,
        maxAge: TTL_SECONDS * 1000,
      });
      res.redirect(303, url.href);
      return true;
    },

    /**
     * The person is back: checks the answer against the cookie (used once) and reads who they are upstream. An
     * answer to another round trip (no cookie, another state) leaves the cookie alone: a link from elsewhere cannot
     * end the round trip under way. Without a cookie there is no purpose either (nothing worth recording).
     */
    async finish(req: Request, res: Response, platform: string): Promise<FlowOutcome> {
      const state = readState(req);
      const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      if (!state || state.platform !== platform) return { ok: false, reason: 'expired' };
      if (query.get('state') !== state.state) {
        return { ok: false, reason: 'state_mismatch', purpose: state.purpose };
      }
      res.clearCookie(COOKIE, { path: COOKIE_PATH });
      const provider = await providerOf(platform);
      if (!provider) return { ok: false, reason: 'unavailable', purpose: state.purpose };
      try {
        const { profile, tokens } = await provider.complete(query, state);
        const identity = { platform: provider.id, profile, tokens: state.bots ? tokens : undefined };
        return { ok: true, purpose: state.purpose, identity };
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        return { ok: false, reason: err.reason, purpose: state.purpose };
      }
    },
  };
}

export type SocialFlow = ReturnType<typeof createSocialFlow>;
