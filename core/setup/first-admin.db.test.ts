import { describe, expect, it } from '@jest/globals';
import { useCoreServices } from '../../test/support/core-services.js';
import { createUser } from '../../test/support/fixtures.js';
import { FieldError } from '../accounts/service.js';
import { createCache } from '../cache/create.js';
import { AppError } from '../errors/index.js';
import { createFirstAdminSetup } from './first-admin.js';
import { createSetupLinks } from './setup-links.js';
import { createUserQueries } from '../users/queries.js';

const STRONG = 'violet anchor drizzle mango 47';
const input = (name: string) => ({
  email: `${name}@example.test`,
  username: name,
  password: STRONG,
  confirm: STRONG,
});

describe('first administrator setup', () => {
  const t = useCoreServices();
  const make = () => {
    const links = createSetupLinks(createCache({ url: undefined, keyPrefix: 'test:' }));
    return {
      links,
      setup: createFirstAdminSetup({ db: t.db, audit: t.audit, links, minPasswordLength: 12 }),
    };
  };
  const superAdmins = () => t.db('UserRole').where({ role_id: 'role_super_admin' });

  it('keeps the link for a field to fix, and for an address someone uses already', async () => {
    const { links, setup } = make();
    const { token } = await links.issue();
    await expect(
      setup.complete(token, { ...input('weak'), password: 'aaaaaaaaaaaa', confirm: 'aaaaaaaaaaaa' }, {}),
    ).rejects.toMatchObject({ reason: 'passwordWeak' });
    await expect(
      setup.complete(token, { ...input('short'), password: 'a b c', confirm: 'a b c' }, {}),
    ).rejects.toBeInstanceOf(FieldError);
    await expect(setup.complete(token, { ...input('x'), email: 'not an address' }, {})).rejects.toMatchObject(
      { reason: 'usernameInvalid' },
    );
    const member = await createUser(t.db, { username: 'member-one' });
    await createUserQueries(t.db).insertEmailAccount({
      user_id: member,
      email: 'taken@example.test',
      username: 'member-one',
      password_hash: 'not-a-hash',
      email_verified_at: new Date(),
    });
    await expect(
      setup.complete(token, { ...input('newcomer'), email: 'taken@example.test' }, {}),
    ).rejects.toMatchObject({
      code: 'user.email_taken',
      status: 409,
    });
    expect(await links.valid(token)).toBe(true);
    expect(await superAdmins()).toEqual([]);
    expect(await setup.needed()).toBe(true);
  });

  it('makes exactly one first administrator when two links race', async () => {
    const { links, setup } = make();
    const [a, b] = await Promise.all([links.issue(), links.issue()]);
    const results = await Promise.allSettled([
      setup.complete(a.token, input('racer-a'), { ip: '203.0.113.7' }),
      setup.complete(b.token, input('racer-b'), { ip: '203.0.113.8' }),
    ]);
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(AppError);
    expect(reason).toMatchObject({ code: 'setup.complete', status: 409 });
    expect(await superAdmins()).toHaveLength(1);
    // Both links are spent: one made the administrator, the other met a finished setup.
    expect(await links.valid(a.token)).toBe(false);
    expect(await links.valid(b.token)).toBe(false);
    expect(await setup.needed()).toBe(false);

    const events = await t.events('user_created');
    const created = events.find(
      (e) => e.user_id === (made[0] as PromiseFulfilledResult<{ userId: string }>).value.userId,
    );
    expect(created).toMatchObject({ source_service: 'id', metadata: { via: 'setup' } });
  });

  it('refuses a spent or unknown link before looking at the form', async () => {
    const { setup } = make();
    await expect(setup.complete('A'.repeat(43), input('late'), {})).rejects.toMatchObject({
      code: 'setup.link_invalid',
      status: 410,
    });
  });
});
