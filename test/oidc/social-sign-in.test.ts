import { describe, expect, it } from '@jest/globals';
import { totpCode } from '../../core/two-factor/totp.js';
import { SOCIAL_PLATFORM_IDS, type SocialPlatformId } from '../../schemas/social.js';
import type { FakeUser } from '../support/fake-providers/index.js';
import { call } from '../support/fixtures.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  signInToApp,
  type TestClient,
} from '../support/oidc.js';
import { uniqueName } from '../support/services.js';
import { userWith } from '../support/realtime.js';
import { useSmtpSink } from '../support/smtp.js';
import { useSocialPlatform } from '../support/social.js';

/**
 * Social sign-in end to end: a relying party (openid-client) sends a person to Heimdall ID, who continues with a
 * platform through its local fake (real endpoints and answers), and comes back signed in; linking, unlinking and
 * the primary account in the account area; what is refused and why.
 */
// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

describe('social sign-in', () => {
  const t = useSocialPlatform(['api', 'scheduler'], SOCIAL_PLATFORM_IDS, {
    HEIMDALL__EMAIL__SMTP_URL: sink.url,
  });
  const SCOPE = { scope: 'openid profile email' };

  /**
   * A new person at a platform. Ids are numbers where the platform's are (GitHub, Kick: within JSON's safe integers;
   * Steam: a 17-digit SteamID), unique across runs.
   */
  let counter = 0;
  function someone(overrides: Partial<FakeUser> = {}, platform?: SocialPlatformId): FakeUser {
    counter += 1;
    const name = uniqueName('streamer').replaceAll('_', '').slice(0, 20);
    const unique = `${String(Date.now()).slice(-7)}${String(counter).padStart(3, '0')}`;
    return {
      id: platform === 'steam' ? `7656119${unique}` : `1${unique}`,
      username: name,
      displayName: `Streamer ${counter}`,
      email: `${name}@example.com`,
      emailVerified: true,
      avatarUrl: `https://cdn.example.com/${name}.png`,
      ...overrides,
    };
  }

  async function auditEvents(type: string, userId?: string) {
    await t.platform.services.audit.flush();
    const q = t.platform.databases.audit('AuditEvent').where({ event_type: type }).orderBy('created_at');
    return userId ? q.where({ user_id: userId }) : q;
  }

  const accountOf = (platform: string, platformUserId: string) =>
    t.db('PlatformAccount').where({ platform_id: platform, platform_user_id: platformUserId }).first();

  let app: TestClient;
  const appClient = async () =>
    (app ??= await createOAuthClient(t.db, { scopes: ['openid', 'profile', 'email'] }));

  /** Signs in to the app; `profile` is what the app reads from the userinfo endpoint (profile and email claims). */
  async function viaApp(
    credentials: { platform: string } | { email: string; password: string },
    person?: Person,
  ) {
    const c = await appClient();
    const result = await signInToApp(t.url, c, credentials, SCOPE, person);
    const sub = result.tokens.claims()!.sub;
    const profile = await client.fetchUserInfo(result.config, result.tokens.access_token, sub);
    return { ...result, sub, profile };
  }

  /** The account area, signed in with a password. */
  async function areaSession(user: { email: string; password: string }) {
    const person = new Person(t.url);
    const start = await person.follow(`${t.url}/account/accounts`, 'never');
    const [login] = forms(start.body, t.url);
    const page = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    expect(page.url).toBe(`${t.url}/account/accounts`);
    return { person, page };
  }

  const formOf = (html: string, ending: string) => forms(html, t.url).find((f) => f.action.endsWith(ending));

  describe.each(SOCIAL_PLATFORM_IDS.map((p) => [p]))('%s', (platform: SocialPlatformId) => {
    it('signs up a new person, and signs the same person in again with the same sub', async () => {
      const who = someone(platform === 'steam' ? { email: undefined, emailVerified: false } : {}, platform);
      t.fake(platform).signInAs(who);
      const first = await viaApp({ platform });
      const claims = first.tokens.claims()!;
      const account = await accountOf(platform, who.id);
      expect(account).toMatchObject({ user_id: claims.sub, platform_id: platform });
      expect(account.password_hash).toBeNull();
      const user = await t.db('User').where({ id: claims.sub }).first();
      expect(user.primary_platform_account_id).toBe(account.id);
      expect(first.profile.name).toBeTruthy();

      const again = await viaApp({ platform });
      expect(again.tokens.claims()!.sub).toBe(claims.sub);
      expect(await t.db('PlatformAccount').where({ user_id: claims.sub })).toHaveLength(1);

      const created = await auditEvents('user_created', claims.sub);
      expect(JSON.parse(JSON.stringify(created[0].metadata))).toMatchObject({
        via: 'social',
        platform,
        terms_accepted: true,
      });
      const logins = await auditEvents('login', claims.sub);
      expect(logins).toHaveLength(2);
      expect(logins[0].metadata).toMatchObject({ method: 'social', platform, amr: ['fed'] });
      // Platforms with tokens keep them, sealed; Steam gives none.
      // Signing in keeps no platform token: only allowing bots to act for you does.
      expect(await t.db('PlatformToken').where({ platform_account_id: account.id })).toEqual([]);
    });
  });

  it('keeps the profile the provider gives: login name, display name, avatar, email and whether it is verified', async () => {
    const who = someone();
    t.fake('twitch').signInAs(who);
    const { profile } = await viaApp({ platform: 'twitch' });
    expect(await accountOf('twitch', who.id)).toMatchObject({
      username: who.username,
      display_name: who.displayName,
      avatar_url: who.avatarUrl,
      email: who.email,
      email_verified_at: expect.any(Date),
    });
    expect(profile).toMatchObject({ email: who.email, email_verified: true, picture: who.avatarUrl });
  });

  it('never vouches for an address the provider did not verify', async () => {
    const who = someone({ emailVerified: false });
    t.fake('discord').signInAs(who);
    const { profile } = await viaApp({ platform: 'discord' });
    expect(profile).toMatchObject({ email: who.email, email_verified: false });
    expect((await accountOf('discord', who.id)).email_verified_at).toBeNull();
  });

  it('refuses a sign-up whose email belongs to an existing user: they sign in there and link', async () => {
    const owner = await createPasswordUser(t.db);
    const attacker = someone({ email: owner.email.toUpperCase(), emailVerified: true });
    t.fake('discord').signInAs(attacker);
    const c = await appClient();
    const person = new Person(t.url);
    const result = await signInToAppExpectingPage(person, c, 'discord');
    expect(result.status).toBe(409);
    expect(result.body).toContain('An account with the email address of your Discord account exists already');
    expect(await accountOf('discord', attacker.id)).toBeUndefined();
    expect(await t.db('PlatformAccount').where({ user_id: owner.id })).toHaveLength(1);
    const refused = await auditEvents('login_failed');
    expect(
      refused.some(
        (e) => e.metadata.platform === 'discord' && e.metadata.reason === 'linked_account.email_in_use',
      ),
    ).toBe(true);

    // The owner signs in with the password and links the same Discord account: now it signs them in.
    const { person: owned } = await areaSession(owner);
    const accounts = await owned.request(`${t.url}/account/accounts`);
    const link = formOf(accounts.body, '/account/accounts/link/discord')!;
    const linked = await owned.follow(link.action, 'never', { form: link.fields });
    expect(linked.url).toBe(`${t.url}/account/accounts?platform=discord&notice=linked`);
    expect(linked.body).toContain('Discord is linked to your account.');
    expect(await accountOf('discord', attacker.id)).toMatchObject({ user_id: owner.id });
    const viaDiscord = await viaApp({ platform: 'discord' });
    const viaPassword = await viaApp(owner);
    expect(viaDiscord.tokens.claims()!.sub).toBe(owner.id);
    expect(viaPassword.tokens.claims()!.sub).toBe(owner.id);
    expect((await auditEvents('account_linked', owner.id))[0].metadata).toMatchObject({
      platform: 'discord',
    });
  });

  /** Starts "Continue with <platform>" for an app and follows the round trip until a page answers. */
  async function signInToAppExpectingPage(person: Person, c: TestClient, platform: string) {
    const a = await authorizationRequest(t.url, c, SCOPE);
    const page = await person.follow(a.url, c.redirectUri);
    const button = formOf(page.body, `/social/${platform}`)!;
    return person.follow(button.action, c.redirectUri, { form: button.fields });
  }

  it('refuses to link a platform account that another user has linked', async () => {
    const who = someone();
    t.fake('github').signInAs(who);
    const first = await viaApp({ platform: 'github' });
    const other = await createPasswordUser(t.db);
    const { person } = await areaSession(other);
    const page = await person.request(`${t.url}/account/accounts`);
    const link = formOf(page.body, '/account/accounts/link/github')!;
    const refused = await person.follow(link.action, 'never', { form: link.fields });
    expect(refused.url).toContain('alert=linked_account.linked_elsewhere');
    expect(refused.body).toContain('This GitHub account is linked to another Heimdall account.');
    expect(await accountOf('github', who.id)).toMatchObject({ user_id: first.tokens.claims()!.sub });
    expect(await t.db('PlatformAccount').where({ user_id: other.id })).toHaveLength(1);
  });

  it("keeps the YouTube channel of a Google account linked for bots, which a bot's check finds the person by", async () => {
    const owner = await createPasswordUser(t.db);
    const channel = `UC${String(Date.now()).padStart(22, '0')}`;
    const who = someone({ youtubeChannelId: channel });
    t.fake('google').signInAs(who);
    const { person, page } = await areaSession(owner);
    const link = formOf(page.body, '/account/accounts/link/google')!;
    // As "Allow bots to act for you" sends it: YouTube's scope is asked for.
    expect(
      (await person.follow(link.action, 'never', { form: { ...link.fields, bots: '1' } })).body,
    ).toContain('Google (YouTube) is linked');
    expect(t.fake('google').lastAuthorize!.get('scope')).toContain('youtube.force-ssl');
    expect(await accountOf('google', who.id)).toMatchObject({
      user_id: owner.id,
      youtube_channel_id: channel,
    });
    // Signing in again without YouTube's scope cannot see the channel: it stays as it was.
    await viaApp({ platform: 'google' });
    expect(await accountOf('google', who.id)).toMatchObject({ youtube_channel_id: channel });

    const bot = await userWith(t.db, ['youtube:read']);
    const check = (platform: string, id: string) =>
      call(t.url, 'GET', `/v1/integrations/${platform}/check?platform_user_id=${id}&permission=users:read`, {
        key: bot.key,
      });
    const found = await check('youtube', channel);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ linked: true, user_id: owner.id, username: owner.username });
    // The Google account's own id is not a channel; the channel is not a Google account's id.
    expect((await check('youtube', who.id)).body).toMatchObject({ linked: false });
    expect((await check('google', channel)).body).toMatchObject({ linked: false });
  });

  it('changes the primary account, which supplies the claims, and unlinks (revoking upstream) but never the last method', async () => {
    const who = someone({ email: undefined, emailVerified: false });
    t.fake('kick').signInAs(who);
    const { tokens, person } = await viaApp({ platform: 'kick' });
    const userId = tokens.claims()!.sub;
    // Link Twitch too, from the account area of the same browser.
    const twitchUser = someone();
    t.fake('twitch').signInAs(twitchUser);
    const page = await person.request(`${t.url}/account/accounts`);
    const link = formOf(page.body, '/account/accounts/link/twitch')!;
    // Linked with the bots' scopes, as "Allow bots to act for you" sends it: its tokens are kept.
    expect(
      (await person.follow(link.action, 'never', { form: { ...link.fields, bots: '1' } })).body,
    ).toContain('Twitch is linked');

    const twitchAccount = await accountOf('twitch', twitchUser.id);
    const accounts = await person.request(`${t.url}/account/accounts`);
    const primary = formOf(accounts.body, `/account/accounts/${twitchAccount.id}/primary`)!;
    const changed = await person.follow(primary.action, 'never', { form: primary.fields });
    expect(changed.body).toContain('Your primary sign-in method was changed.');
    const after = await viaApp({ platform: 'kick' }, person);
    expect(after.profile).toMatchObject({
      sub: userId,
      email: twitchUser.email,
      name: twitchUser.displayName,
    });
    expect((await auditEvents('primary_account_changed', userId))[0].metadata).toMatchObject({
      platform: 'twitch',
    });

    // Unlinking the primary Twitch account revokes its grant upstream and hands the primary back to Kick.
    const issued = (await t.db('PlatformToken').where({ platform_account_id: twitchAccount.id }).first())
      .access_token_encrypted;
    expect(issued).toMatch(/^v2\./);
    const revokedBefore = t.fake('twitch').revoked.length;
    const list = await person.request(`${t.url}/account/accounts`);
    const unlink = formOf(list.body, `/account/accounts/${twitchAccount.id}/unlink`)!;
    expect((await person.follow(unlink.action, 'never', { form: unlink.fields })).body).toContain(
      'The platform was unlinked.',
    );
    expect(t.fake('twitch').revoked.length).toBe(revokedBefore + 1);
    expect(await accountOf('twitch', twitchUser.id)).toBeUndefined();
    const kick = await accountOf('kick', who.id);
    expect((await t.db('User').where({ id: userId }).first()).primary_platform_account_id).toBe(kick.id);
    expect((await auditEvents('account_unlinked', userId))[0].metadata).toMatchObject({
      platform: 'twitch',
      was_primary: true,
      upstream_revoked: true,
    });

    // Kick is the last way in: refused, nothing changed.
    const last = await person.request(`${t.url}/account/accounts`);
    expect(formOf(last.body, `/account/accounts/${kick.id}/unlink`)).toBeUndefined();
    const { csrf } = formOf(last.body, '/account/logout')!.fields;
    const refused = await person.follow(`${t.url}/account/accounts/${kick.id}/unlink`, 'never', {
      form: { csrf: csrf! },
    });
    expect(refused.body).toContain('This is your last way to sign in.');
    expect(await accountOf('kick', who.id)).toBeDefined();
  });

  it('tells the person when a platform is linked or unlinked, and unlinking ends the sessions it started', async () => {
    const owner = await createPasswordUser(t.db);
    const discordUser = someone({ email: undefined });
    t.fake('discord').signInAs(discordUser);
    const { person } = await areaSession(owner);
    const page = await person.request(`${t.url}/account/accounts`);
    const link = formOf(page.body, '/account/accounts/link/discord')!;
    await person.follow(link.action, 'never', { form: link.fields });
    const linked = await sink.waitFor({ to: owner.email, subject: 'Discord was linked to your account' });
    expect(linked.text).toContain('If you did not do this');

    // Another browser signs in with Discord; unlinking Discord ends that session, not the password one.
    const viaDiscord = await viaApp({ platform: 'discord' });
    expect(viaDiscord.sub).toBe(owner.id);
    const discordSession = viaDiscord.person.cookie('id.session-token')!;
    const alive = (token: string) =>
      call(t.url, 'POST', '/v1/auth/session', { body: { session_token: token } });
    expect((await alive(discordSession)).status).toBe(200);
    const account = await accountOf('discord', discordUser.id);
    const list = await person.request(`${t.url}/account/accounts`);
    const unlink = formOf(list.body, `/account/accounts/${account.id}/unlink`)!;
    await person.follow(unlink.action, 'never', { form: unlink.fields });
    await sink.waitFor({ to: owner.email, subject: 'Discord was unlinked from your account' });
    expect((await alive(discordSession)).status).toBe(401);
    expect((await alive(person.cookie('id.session-token')!)).status).toBe(200);
    const [ended] = await auditEvents('session_revoked', owner.id);
    expect(ended.metadata).toMatchObject({ count: 1, provider: 'discord', reason: 'account_unlinked' });
  });

  it('refuses an answer to another round trip (state), a code from another round trip (PKCE), and a refusal', async () => {
    const who = someone();
    t.fake('discord').signInAs(who);
    const person = new Person(t.url);
    const start = await person.follow(`${t.url}/account/login`, 'never');
    const button = formOf(start.body, '/account/social/discord/login')!;

    // State: the answer names another round trip than the one this browser started.
    const sent = await person.request(button.action, { form: button.fields });
    const callback = await t.fake('discord').authorize(sent.location!);
    callback.searchParams.set('state', 'forged-state');
    const forged = await person.request(callback.href);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('This sign-in took too long or was started in another browser.');

    // PKCE: a code issued for one round trip, presented with the state (and so the verifier) of another.
    const firstTrip = await person.request(button.action, { form: button.fields });
    const firstCallback = await t.fake('discord').authorize(firstTrip.location!);
    const secondTrip = await person.request(button.action, { form: button.fields });
    const secondCallback = await t.fake('discord').authorize(secondTrip.location!);
    secondCallback.searchParams.set('code', firstCallback.searchParams.get('code')!);
    const injected = await person.request(secondCallback.href);
    expect(injected.status).toBe(400);
    expect(injected.body).toContain('Discord did not confirm who you are.');

    // The person says no at Discord.
    t.fake('discord').signInAs('deny');
    const denied = await person.follow(button.action, 'never', { form: button.fields });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('You did not allow Discord to sign you in.');
    t.fake('discord').signInAs(who);

    expect(await accountOf('discord', who.id)).toBeUndefined();
    const reasons = (await auditEvents('login_failed'))
      .filter((e) => e.metadata.platform === 'discord')
      .map((e) => e.metadata.reason);
    expect(reasons).toEqual(expect.arrayContaining(['state_mismatch', 'invalid_grant', 'access_denied']));
  });

  it('refuses a forged Steam assertion', async () => {
    const who = someone({ email: undefined }, 'steam');
    t.fake('steam').signInAs(who);
    const person = new Person(t.url);
    const start = await person.follow(`${t.url}/account/login`, 'never');
    const button = formOf(start.body, '/account/social/steam/login')!;
    const sent = await person.request(button.action, { form: button.fields });
    const callback = await t.fake('steam').authorize(sent.location!);
    const victim = '76561190000000001';
    for (const field of ['openid.claimed_id', 'openid.identity']) {
      callback.searchParams.set(field, callback.searchParams.get(field)!.replace(who.id, victim));
    }
    const forged = await person.request(callback.href);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Steam did not confirm who you are.');
    expect(await accountOf('steam', victim)).toBeUndefined();
    expect(await accountOf('steam', who.id)).toBeUndefined();
  });

  it('applies bans and two-factor authentication as for a password', async () => {
    const who = someone();
    t.fake('google').signInAs(who);
    const { tokens } = await viaApp({ platform: 'google' });
    const userId = tokens.claims()!.sub;

    // Two-factor authentication on: the code is asked next, and the ID token says both.
    const { token } = await t.platform.services.sessions.create({ userId, provider: 'google' });
    const setup = await call(t.url, 'POST', '/v1/2fa/setup', { key: token });
    expect(
      (
        await call(t.url, 'POST', '/v1/2fa/enable', {
          key: token,
          body: { code: totpCode(setup.body.secret) },
        })
      ).status,
    ).toBe(200);
    const c = await appClient();
    const a = await authorizationRequest(t.url, c, SCOPE);
    const person = new Person(t.url);
    const page = await person.follow(a.url, c.redirectUri);
    const button = formOf(page.body, '/social/google')!;
    const codePage = await person.follow(button.action, c.redirectUri, { form: button.fields });
    expect(codePage.url).toMatch(/\/oidc\/interaction\/[\w-]+\/2fa$/);
    const codeForm = formOf(codePage.body, '/2fa')!;
    const done = await person.follow(codeForm.action, c.redirectUri, {
      form: {
        ...codeForm.fields,
        code: totpCode(setup.body.secret, { epoch: Math.floor(Date.now() / 1000) + 30 }),
      },
    });
    const withCode = await client.authorizationCodeGrant(a.config, new URL(done.redirectedTo!), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    expect(withCode.claims()!.sub).toBe(userId);
    const logins = await auditEvents('login', userId);
    expect(logins.at(-1).metadata).toMatchObject({ platform: 'google', amr: ['fed', 'otp'] });

    // Banned: refused after the provider, with the reason.
    await t.db('UserBan').insert({ user_id: userId, reason: 'spam', banned_by: 'test' });
    const banned = await signInToAppExpectingPage(new Person(t.url), c, 'google');
    expect(banned.status).toBe(403);
    expect(banned.body).toContain('This account is banned.');
    expect((await auditEvents('login_failed', userId)).map((e) => e.metadata.reason)).toContain('banned');
  });

  it('offers the enabled, configured platforms on the sign-in and registration pages, and no other', async () => {
    const anyone = new Person(t.url);
    const pages = [`${t.url}/account/login`, `${t.url}/account/register`];
    for (const url of pages) {
      const body = (await anyone.request(url)).body;
      for (const platform of SOCIAL_PLATFORM_IDS) expect(body).toContain(`data-platform="${platform}"`);
      // A first sign-in creates an account: the page says which terms that accepts.
      expect(body).toContain('By continuing with a platform you accept the');
      expect(body).toContain('href="/policies/terms"');
      expect(body).not.toContain('data-platform="email"');
    }
    // The registration page's buttons work with the token the page gave them.
    const register = await anyone.request(`${t.url}/account/register`);
    const button = formOf(register.body, '/account/social/kick/login')!;
    expect((await anyone.request(button.action, { form: button.fields })).location).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?/,
    );

    // Turned off in the Platform table: no button, and a start is refused.
    await t.db('Platform').where({ id: 'kick' }).update({ enabled: false });
    try {
      for (const url of pages) expect((await anyone.request(url)).body).not.toContain('data-platform="kick"');
      const refused = await anyone.request(button.action, { form: button.fields });
      expect(refused.status).toBe(404);
      expect(refused.body).toContain('Kick cannot be reached right now.');
    } finally {
      await t.db('Platform').where({ id: 'kick' }).update({ enabled: true });
    }
  });

  it('has a person whose role requires 2FA set it up before the app gets them', async () => {
    const who = someone();
    t.fake('trovo').signInAs(who);
    const { sub } = await viaApp({ platform: 'trovo' });
    await t.db('Role').insert({ id: 'role_social_2fa', name: 'Needs 2FA', requires_two_factor: true });
    await t.db('UserRole').insert({ user_id: sub, role_id: 'role_social_2fa' });
    const c = await appClient();
    const a = await authorizationRequest(t.url, c, SCOPE);
    const person = new Person(t.url);
    const page = await person.follow(a.url, c.redirectUri);
    const button = formOf(page.body, '/social/trovo')!;
    const next = await person.follow(button.action, c.redirectUri, { form: button.fields });
    expect(next.redirectedTo).toBeUndefined();
    expect(next.url).toMatch(/\/account\/security\?continue=%2Foidc%2Finteraction%2F/);
    expect(next.body).toContain('One of your roles requires two-factor authentication.');
  });

  it('refreshes platform tokens in the scheduler, and tells the person when the platform refuses', async () => {
    const who = someone();
    const twitch = t.fake('twitch');
    twitch.signInAs(who);
    const { person, tokens } = await viaApp({ platform: 'twitch' });
    const userId = tokens.claims()!.sub;
    const account = await accountOf('twitch', who.id);
    const stored = () => t.db('PlatformToken').where({ platform_account_id: account.id }).first();
    expect(await stored()).toBeUndefined();

    // The streamer allows bots to act for them: Twitch is asked for the bots' scopes, and the tokens are kept.
    const offer = await person.request(`${t.url}/account/accounts`);
    expect(offer.body).toContain('Allow bots to act for you');
    const allow = formOf(offer.body, '/account/accounts/link/twitch')!;
    expect(allow.fields.bots).toBe('1');
    await person.follow(allow.action, 'never', { form: allow.fields });
    expect(twitch.lastAuthorize!.get('scope')).toContain('chat:edit');
    const before = await stored();
    expect(before).toMatchObject({ status: 'valid', scopes: expect.arrayContaining(['chat:edit']) });
    expect((await person.request(`${t.url}/account/accounts`)).body).toContain('Bots may act for you');

    // Signing in again (sign-in scopes only) leaves the bots' token as it was.
    await viaApp({ platform: 'twitch' });
    expect(await stored()).toMatchObject({
      access_token_encrypted: before.access_token_encrypted,
      refresh_token_encrypted: before.refresh_token_encrypted,
      scopes: before.scopes,
    });
    await t
      .db('PlatformToken')
      .where({ platform_account_id: account.id })
      .update({ expires_at: new Date(Date.now() + 60_000) });

    const refreshes = twitch.refreshCount;
    const run = await t.platform.scheduler!.runNow('platform-token-refresh');
    expect(run).toMatchObject({ refreshed: expect.any(Number), invalid: 0 });
    expect(twitch.refreshCount).toBe(refreshes + 1);
    const after = await stored();
    expect(after.access_token_encrypted).not.toBe(before.access_token_encrypted);
    expect(after.expires_at.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(await auditEvents('platform_token_refreshed', userId)).toHaveLength(1);

    // Twitch refuses the refresh token: the token is invalid, and the account page says so.
    twitch.refuseRefresh(true);
    await t
      .db('PlatformToken')
      .where({ platform_account_id: account.id })
      .update({ expires_at: new Date(Date.now() + 60_000) });
    await t.platform.scheduler!.runNow('platform-token-refresh');
    twitch.refuseRefresh(false);
    expect(await stored()).toMatchObject({ status: 'invalid', invalid_reason: 'invalid_grant' });
    expect((await auditEvents('platform_token_invalid', userId))[0].metadata).toMatchObject({
      platform: 'twitch',
    });
    const page = await person.request(`${t.url}/account/accounts`);
    expect(page.body).toContain(
      'Twitch no longer accepts Heimdall&#39;s access. Link Twitch again to restore it.',
    );

    // Linking again (with the bots' scopes) makes it valid.
    const relink = formOf(page.body, '/account/accounts/link/twitch')!;
    expect(relink.fields.bots).toBe('1');
    await person.follow(relink.action, 'never', { form: relink.fields });
    expect(twitch.lastAuthorize!.get('scope')).toContain('moderator:manage:banned_users');
    expect(await stored()).toMatchObject({ status: 'valid' });
    expect(await auditEvents('account_reconnected', userId)).toHaveLength(2);
  });
});
