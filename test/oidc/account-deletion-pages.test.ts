import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import { createPasswordUser, forms, Person, useOidcPlatform } from '../support/oidc.js';

/** The account area's deletion page and the notice that cancels it, over HTTP: what the forms refuse. */
describe('account area: deleting the account', () => {
  const t = useOidcPlatform();

  async function signIn(user: { email: string; password: string }, returnTo = '/account/delete') {
    const person = new Person(t.url, { 'accept-language': 'en' });
    const start = await person.follow(`${t.url}${returnTo}`, 'never');
    const [login] = forms(start.body, t.url);
    const page = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    expect(page.url).toBe(`${t.url}${returnTo}`);
    return { person, page, token: person.cookie('id.session-token')! };
  }

  const formWith = (html: string, action: string) =>
    forms(html, t.url).find((f) => f.action.endsWith(action))!;
  const scheduled = (userId: string) => t.db('AccountDeletion').where({ user_id: userId });
  const sessionWorks = async (token: string) =>
    (await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: token } })).status === 200;

  it('refuses a wrong password and a form without its CSRF token; nothing is scheduled', async () => {
    const user = await createPasswordUser(t.db);
    const { person, page, token } = await signIn(user);
    expect(page.body).toContain('30 days after you ask');
    const f = formWith(page.body, '/account/delete');

    const wrong = await person.request(f.action, { form: { ...f.fields, password: 'not it' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain(
      '<p class="field-error" id="password-error">The current password is not right.',
    );
    const forged = await person.request(f.action, { form: { password: user.password } });
    expect(forged.status).toBe(303);
    expect(forged.location).toBe('/account/delete');
    const empty = await person.request(f.action, { form: { ...f.fields, password: '' } });
    expect(empty.status).toBe(403);
    expect(empty.body).toContain('Confirm it is you');

    await expect(scheduled(user.id)).resolves.toEqual([]);
    await expect(sessionWorks(token)).resolves.toBe(true);
  });

  it('schedules with the password, signs out, and a new sign-in shows the notice that cancels', async () => {
    const user = await createPasswordUser(t.db);
    const { person, page, token } = await signIn(user);
    const done = await person.request(formWith(page.body, '/account/delete').action, {
      form: { ...formWith(page.body, '/account/delete').fields, password: user.password },
    });
    expect(done.status).toBe(200);
    const [row] = await scheduled(user.id);
    const day = (row.purge_after as Date).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
    expect(done.body).toContain(`Your account will be deleted on ${day}.`);
    expect(person.cookie('id.session-token')).toBeUndefined();
    await expect(sessionWorks(token)).resolves.toBe(false);
    // The page the person lands on needs no session; the area asks for a sign-in again.
    expect((await person.request(`${t.url}/account`)).status).toBe(303);

    const again = await signIn(user, '/account/profile');
    expect(again.page.body).toContain(`Your account will be deleted on ${day}.`);
    const cancel = formWith(again.page.body, '/account/delete/cancel');
    const forged = await again.person.request(cancel.action, { form: {} });
    expect(forged.status).toBe(303);
    await expect(scheduled(user.id)).resolves.toHaveLength(1);

    const kept = await again.person.follow(cancel.action, 'never', { form: cancel.fields });
    expect(kept.url).toBe(`${t.url}/account?notice=kept`);
    expect(kept.body).toContain('The deletion was cancelled. Your account stays.');
    expect(kept.body).not.toContain('Your account will be deleted on');
    await expect(scheduled(user.id)).resolves.toEqual([]);
  });

  it('without a password, a sign-in older than 10 minutes is refused; signing in again is offered', async () => {
    const user = await createPasswordUser(t.db);
    const { person, page, token } = await signIn(user);
    // The person now has no password (as if they signed in with a platform); their session is 11 minutes old.
    await t
      .db('PlatformAccount')
      .where({ user_id: user.id, platform_id: 'email' })
      .update({ password_hash: null });
    await t
      .db('Session')
      .where({ user_id: user.id })
      .update({ created_at: new Date(Date.now() - 11 * 60_000) });
    const stale = await person.request(formWith(page.body, '/account/delete').action, {
      form: { ...formWith(page.body, '/account/delete').fields, password: '' },
    });
    expect(stale.status).toBe(403);
    expect(stale.body).toContain('Without a password, sign in again');
    await expect(scheduled(user.id)).resolves.toEqual([]);

    const reauth = formWith(stale.body, '/account/delete/reauthenticate');
    const out = await person.request(reauth.action, { form: reauth.fields });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/account/login?return_to=%2Faccount%2Fdelete');
    await expect(sessionWorks(token)).resolves.toBe(false);
  });
});
