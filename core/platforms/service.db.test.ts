import { beforeAll, describe, expect, it } from '@jest/globals';
import { PLATFORMS } from '../../schemas/platforms.js';
import { useCoreServices } from '../../test/support/core-services.js';
import type { AppError } from '../errors/index.js';
import { createPlatformService, type PlatformService } from './service.js';

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (err: AppError) => ({ code: err.code, status: err.status }),
  );

describe('platform service', () => {
  const t = useCoreServices();
  let service: PlatformService;
  const admin = () => t.actor(['settings:write']);
  const enabled = async () =>
    (await t.db('Platform').where({ enabled: true }).orderBy('id').select('id')).map((r) => r.id as string);
  beforeAll(() => {
    service = createPlatformService({ db: t.db, audit: t.audit });
  });

  it('lists the seeded platforms in sign-in order', async () => {
    const list = await service.list();
    expect(list.map((p) => p.id).sort()).toEqual(PLATFORMS.map((p) => p.id).sort());
    expect(list.find((p) => p.id === 'email')).toMatchObject({
      name: 'Email',
      enabled: true,
      created_at: expect.stringMatching(/Z$/),
    });
  });

  it('turns a platform on and off and records platform_changed', async () => {
    const actor = admin();
    expect(await service.setEnabled(actor, 'github', true)).toMatchObject({ id: 'github', enabled: true });
    await service.setEnabled(actor, 'github', false);
    // Already off: nothing changes, nothing is recorded.
    await service.setEnabled(actor, 'github', false);
    const events = await t.events('platform_changed', 'github');
    expect(events.map((e) => e.metadata)).toEqual([
      { operation: 'update', changed: ['enabled'], old_enabled: false, enabled: true },
      { operation: 'update', changed: ['enabled'], old_enabled: true, enabled: false },
    ]);
    expect(events[0]).toMatchObject({ resource_type: 'platform', source_service: 'admin' });
  });

  it('refuses to turn off the last enabled platform, changing nothing', async () => {
    for (const id of await enabled()) if (id !== 'email') await service.setEnabled(admin(), id, false);
    expect(await enabled()).toEqual(['email']);
    const before = (await t.events('platform_changed')).length;
    expect(await refusal(service.setEnabled(admin(), 'email', false))).toEqual({
      code: 'platform.last_enabled',
      status: 409,
    });
    expect(await enabled()).toEqual(['email']);
    expect(await t.events('platform_changed')).toHaveLength(before);
    // With another one on, email may go.
    await service.setEnabled(admin(), 'discord', true);
    await service.setEnabled(admin(), 'email', false);
    expect(await enabled()).toEqual(['discord']);
    await service.setEnabled(admin(), 'email', true);
  });

  it('keeps one enabled when the last two are turned off at once', async () => {
    await service.setEnabled(admin(), 'discord', true);
    expect(await enabled()).toEqual(['discord', 'email']);
    const results = await Promise.allSettled([
      service.setEnabled(admin(), 'discord', false),
      service.setEnabled(admin(), 'email', false),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await enabled()).toHaveLength(1);
    for (const p of PLATFORMS) if (p.enabled) await service.setEnabled(admin(), p.id, true);
  });

  it('refuses unknown platforms, bad values and callers without settings:write', async () => {
    expect(await refusal(service.setEnabled(admin(), 'myspace', true))).toEqual({
      code: 'platform.not_found',
      status: 404,
    });
    expect(await refusal(service.setEnabled(admin(), 'kick', 'yes' as never))).toEqual({
      code: 'platform.invalid_value',
      status: 400,
    });
    expect(await refusal(service.setEnabled(t.actor(['settings:read']), 'kick', true))).toEqual({
      code: 'auth.forbidden',
      status: 403,
    });
    expect((await t.db('Platform').where({ id: 'kick' }).first()).enabled).toBe(false);
  });
});
