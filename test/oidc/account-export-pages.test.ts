import { describe, expect, it } from '@jest/globals';
import { createPasswordUser, forms, Person, useOidcPlatform } from '../support/oidc.js';

/** The account area's export page over HTTP: what it refuses (a forged form, the daily limit, others' exports). */
describe('account area: exporting your data', () => {
  const t = useOidcPlatform();

  async function signIn(user: { email: string; password: string }) {
    const person = new Person(t.url, { 'accept-language': 'en' });
    const start = await person.follow(`${t.url}/account/export`, 'never');
    const [login] = forms(start.body, t.url);
    const page = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    expect(page.url).toBe(`${t.url}/account/export`);
    return { person, page };
  }

  const requestForm = (html: string) => forms(html, t.url).find((f) => f.action.endsWith('/account/export'))!;
  const exportsOf = (userId: string) => t.db('DataExport').where({ user_id: userId });
  /** An export built earlier, straight into the table (no zip needed to test who may download it). */
  const pastExport = async (userId: string, status = 'done') => {
    const finished = new Date();
    const [row] = await t
      .db('DataExport')
      .insert({
        user_id: userId,
        locale: 'en',
        status,
        progress: 100,
        storage_key: `exports/${userId}/none.zip`,
        size_bytes: 2048,
        requested_at: finished,
        finished_at: finished,
        expires_at: new Date(finished.getTime() + 86_400_000),
      })
      .returning<{ id: string }[]>('id');
    return row!.id;
  };

  it('asks for nothing without the CSRF token', async () => {
    const user = await createPasswordUser(t.db);
    const { person, page } = await signIn(user);
    expect(page.body).toContain('You have not exported your data yet.');
    const forged = await person.request(requestForm(page.body).action, { form: {} });
    expect(forged.status).toBe(303);
    expect(forged.location).toBe('/account/export');
    const wrong = await person.request(requestForm(page.body).action, { form: { csrf: 'not-the-token' } });
    expect(wrong.status).toBe(303);
    await expect(exportsOf(user.id)).resolves.toEqual([]);
  });

  it('answers the fourth request of a day with the limit, in the person’s language', async () => {
    const user = await createPasswordUser(t.db);
    for (let i = 0; i < 3; i++) await pastExport(user.id, 'expired');
    const { person, page } = await signIn(user);
    const f = requestForm(page.body);
    const refused = await person.request(f.action, { form: f.fields });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain(
      'You asked for 3 exports in the last 24 hours, the most allowed. You can ask again from ',
    );
    await expect(exportsOf(user.id)).resolves.toHaveLength(3);

    // The person's language comes first: German now, the same session.
    await t.db('User').where({ id: user.id }).update({ preferred_locale: 'de' });
    const de = await person.request(`${t.url}/account/export`);
    const again = await person.request(requestForm(de.body).action, { form: requestForm(de.body).fields });
    expect(again.status).toBe(429);
    expect(again.body).toContain('Sie haben in den letzten 24 Stunden 3 Exporte angefordert');
  });

  it('hands out the download of one’s own export only; another person’s id is not found', async () => {
    const owner = await createPasswordUser(t.db);
    const other = await createPasswordUser(t.db);
    const id = await pastExport(owner.id);

    const mine = await signIn(owner);
    expect(mine.page.body).toContain(`href="/account/export/${id}/download"`);
    expect(mine.page.body).toContain('Download (zip, 2 kB)');
    const download = await mine.person.request(`${t.url}/account/export/${id}/download`);
    expect(download.status).toBe(303);
    expect(download.location).toMatch(/^\/|^https?:/);

    const theirs = await signIn(other);
    const refused = await theirs.person.request(`${t.url}/account/export/${id}/download`);
    expect(refused.status).toBe(404);
    expect(refused.body).toContain('You have no export with this id.');
    expect(refused.body).not.toContain(id);
    const nonsense = await theirs.person.request(`${t.url}/account/export/not-an-id/download`);
    expect(nonsense.status).toBe(404);
  });

  it('shows an expired export as expired, and its download is gone', async () => {
    const user = await createPasswordUser(t.db);
    const id = await pastExport(user.id, 'expired');
    const { person, page } = await signIn(user);
    expect(page.body).toContain('Expired: the file was deleted.');
    expect(page.body).not.toContain(`/account/export/${id}/download`);
    const gone = await person.request(`${t.url}/account/export/${id}/download`);
    expect(gone.status).toBe(410);
  });
});
