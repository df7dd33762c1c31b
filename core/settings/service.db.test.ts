import { beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CUSTOM_SETTINGS, MAX_SETTING_BYTES, SETTINGS } from '../../schemas/settings.js';
import { useCoreServices } from '../../test/support/core-services.js';
import type { AppError } from '../errors/index.js';
import { createSettingService, type SettingService } from './service.js';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The AppError a call fails with (code, status, details), or a failure if it does not fail. */
async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (err) {
    const e = err as AppError;
    return { code: e.code, status: e.status, details: e.details };
  }
  throw new Error('expected the call to be refused');
}

describe('settings service', () => {
  const t = useCoreServices();
  let service: SettingService;
  const admin = () => t.actor(['settings:read', 'settings:write', 'settings:delete']);
  const rows = () => t.db('Setting').orderBy('key');
  beforeAll(() => {
    service = createSettingService({ db: t.db, audit: t.audit });
  });

  it('lists every known key with its default, type and visibility before anything is set', async () => {
    const list = await service.list();
    expect(list.map((s) => s.key)).toEqual(Object.keys(SETTINGS).sort());
    expect(list.find((s) => s.key === 'security.session_ttl_hours')).toEqual({
      key: 'security.session_ttl_hours',
      value: 336,
      is_public: false,
      description: SETTINGS['security.session_ttl_hours'].description,
      updated_at: null,
      is_set: false,
      known: true,
      default: 336,
      value_schema: { type: 'integer', minimum: 1, maximum: 720 },
    });
    expect(await service.get('site.support_email')).toMatchObject({ value: null, is_set: false });
    expect(await refusal(service.get('custom.nothing'))).toMatchObject({
      code: 'setting.not_found',
      status: 404,
    });
    expect(await refusal(service.get('Bad Key'))).toMatchObject({ code: 'setting.invalid_key', status: 400 });
  });

  it('sets a known key, normalised by its type, and records the old and new value', async () => {
    const actor = admin();
    const first = await service.set(actor, 'site.name', '  Asgard  ');
    expect(first).toMatchObject({ key: 'site.name', value: 'Asgard', is_set: true, is_public: true });
    expect(first.updated_at).toMatch(ISO_MICROS);
    const second = await service.set(actor, 'site.name', 'Bifrost', { expectedUpdatedAt: first.updated_at });
    expect(second.value).toBe('Bifrost');

    const events = await t.events('setting_changed', 'site.name');
    expect(events.map((e) => e.metadata)).toEqual([
      { operation: 'create', old_value: null, new_value: 'Asgard', is_public: true },
      { operation: 'update', old_value: 'Asgard', new_value: 'Bifrost', is_public: true },
    ]);
    expect(events[1]).toMatchObject({
      resource_type: 'setting',
      actor_id: actor.auth.user!.id,
      ip_address: '203.0.113.7',
      user_agent: 'core-test',
      source_service: 'admin',
    });
  });

  it('setting the value it already has changes nothing and records nothing', async () => {
    const before = await service.set(admin(), 'maintenance.message', 'Back soon');
    const again = await service.set(admin(), 'maintenance.message', 'Back soon');
    expect(again.updated_at).toBe(before.updated_at);
    expect(await t.events('setting_changed', 'maintenance.message')).toHaveLength(1);
  });

  it('refuses bad values with a clear error and changes nothing', async () => {
    await service.set(admin(), 'security.session_ttl_hours', 48);
    const stateBefore = await rows();
    const eventsBefore = (await t.events('setting_changed')).length;
    const cases: [string, unknown, string, string][] = [
      ['site.name', 5, 'setting.invalid_value', 'value'],
      ['site.name', '   ', 'setting.invalid_value', 'value'],
      ['site.name', 'x'.repeat(101), 'setting.invalid_value', 'value'],
      ['site.support_email', 'not an address', 'setting.invalid_value', 'value'],
      ['accounts.registration_open', 'yes', 'setting.invalid_value', 'value'],
      ['security.session_ttl_hours', 0, 'setting.invalid_value', 'value'],
      ['security.session_ttl_hours', 721, 'setting.invalid_value', 'value'],
      ['security.session_ttl_hours', 1.5, 'setting.invalid_value', 'value'],
      ['security.session_ttl_hours', '48', 'setting.invalid_value', 'value'],
      ['security.session_ttl_hours', undefined, 'setting.invalid_value', 'value'],
      ['maintenance.message', 'm'.repeat(501), 'setting.invalid_value', 'value'],
      ['maintenance.message', 'nul \u0000 inside', 'setting.invalid_value', 'value'],
      ['custom.deep', JSON.parse('['.repeat(17) + ']'.repeat(17)), 'setting.invalid_value', 'value.0.0.0'],
      ['custom.bad', { when: new Date() }, 'setting.invalid_value', 'value'],
      ['custom.big', { text: 'x'.repeat(MAX_SETTING_BYTES) }, 'setting.too_large', ''],
    ];
    for (const [key, value, code, field] of cases) {
      const refused = await refusal(service.set(admin(), key, value));
      expect({ key, value: String(value).slice(0, 20), code: refused.code }).toEqual({
        key,
        value: String(value).slice(0, 20),
        code,
      });
      expect(refused.status).toBe(400);
      if (field) {
        const fields = (refused.details as { fields: { field: string }[] }).fields;
        expect({ key, field: fields[0]!.field.slice(0, field.length) }).toEqual({ key, field });
      }
    }
    const tooLarge = await refusal(service.set(admin(), 'custom.big', 'y'.repeat(MAX_SETTING_BYTES)));
    expect(tooLarge.details).toEqual({ bytes: MAX_SETTING_BYTES + 2, max_bytes: MAX_SETTING_BYTES });
    // Just under the cap is fine.
    await service.set(admin(), 'custom.almost', 'z'.repeat(MAX_SETTING_BYTES - 2));
    await service.remove(admin(), 'custom.almost');

    expect(await rows()).toEqual(stateBefore);
    expect(await t.events('setting_changed')).toHaveLength(eventsBefore + 2);
  });

  it('refuses keys outside the registry unless custom.*, and a known key changing visibility', async () => {
    expect(await refusal(service.set(admin(), 'site.motto', 'hi'))).toMatchObject({
      code: 'setting.unknown_key',
      status: 422,
    });
    expect(await refusal(service.set(admin(), 'custom.', 1))).toMatchObject({ code: 'setting.unknown_key' });
    expect(await refusal(service.set(admin(), 'UPPER', 1))).toMatchObject({ code: 'setting.invalid_key' });
    expect(await refusal(service.set(admin(), 'site.name', 'x', { isPublic: false }))).toMatchObject({
      code: 'setting.visibility_fixed',
      status: 422,
    });
    expect(await t.db('Setting').whereIn('key', ['site.motto', 'custom.', 'UPPER'])).toEqual([]);
  });

  it('keeps custom settings as any JSON, private unless made public', async () => {
    const value = { theme: 'dark', sizes: [1, 2.5], nested: { ok: true, none: null } };
    const created = await service.set(admin(), 'custom.app.theme', value);
    expect(created).toMatchObject({
      value,
      is_public: false,
      known: false,
      default: null,
      value_schema: null,
    });
    expect(await service.publicValues()).not.toHaveProperty(['custom.app.theme']);
    await service.set(admin(), 'custom.app.theme', value, { isPublic: true });
    // Later changes keep the visibility unless they name one.
    await service.set(admin(), 'custom.app.theme', { theme: 'light' });
    expect(await service.get('custom.app.theme')).toMatchObject({
      value: { theme: 'light' },
      is_public: true,
    });
    const publicValues = await service.publicValues();
    expect(publicValues['custom.app.theme']).toEqual({ theme: 'light' });
    expect(publicValues['accounts.registration_open']).toBe(true);
    expect(publicValues).not.toHaveProperty(['security.session_ttl_hours']);
    expect(publicValues).not.toHaveProperty(['gps.retention_days']);
  });

  it('refuses a change based on a stale read with 409 setting.conflict, writing nothing', async () => {
    const read = await service.get('accounts.registration_open');
    expect(read.updated_at).toBeNull();
    // Creating: "not set yet" is the expectation.
    const created = await service.set(admin(), 'accounts.registration_open', false, {
      expectedUpdatedAt: null,
    });
    expect(
      await refusal(service.set(admin(), 'accounts.registration_open', true, { expectedUpdatedAt: null })),
    ).toMatchObject({ code: 'setting.conflict', status: 409 });
    const changed = await service.set(admin(), 'accounts.registration_open', true, {
      expectedUpdatedAt: created.updated_at,
    });
    // A second editor still holding the first read.
    expect(
      await refusal(
        service.set(admin(), 'accounts.registration_open', false, { expectedUpdatedAt: created.updated_at }),
      ),
    ).toMatchObject({ code: 'setting.conflict', status: 409 });
    expect(await service.get('accounts.registration_open')).toMatchObject({
      value: true,
      updated_at: changed.updated_at,
    });
    // The same instant written with another offset is the same read.
    const offset = changed.updated_at!.replace('Z', '+00:00');
    await service.set(admin(), 'accounts.registration_open', false, { expectedUpdatedAt: offset });
    expect(
      await refusal(service.remove(admin(), 'accounts.registration_open', { expectedUpdatedAt: offset })),
    ).toMatchObject({ code: 'setting.conflict' });
  });

  it('lets exactly one of two concurrent changes from the same read through', async () => {
    const read = await service.set(admin(), 'maintenance.enabled', false);
    const results = await Promise.allSettled(
      [true, true, true].map((value) =>
        service.set(admin(), 'maintenance.enabled', value, { expectedUpdatedAt: read.updated_at }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.map((r) => (r.reason as AppError).code)).toEqual(['setting.conflict', 'setting.conflict']);
  });

  it('deletes a setting (a known key falls back to its default) and records what it held', async () => {
    await service.set(admin(), 'gps.retention_days', 90);
    await service.remove(admin(), 'gps.retention_days');
    expect(await service.get('gps.retention_days')).toMatchObject({ value: null, is_set: false });
    expect((await t.events('setting_changed', 'gps.retention_days')).at(-1)?.metadata).toEqual({
      operation: 'delete',
      old_value: 90,
      is_public: false,
    });
    expect(await refusal(service.remove(admin(), 'gps.retention_days'))).toMatchObject({
      code: 'setting.not_found',
      status: 404,
    });
  });

  it('shows and deletes a stored key the registry does not know, but will not set it', async () => {
    await t.db('Setting').insert({ key: 'site.motto', value: JSON.stringify('Old'), is_public: true });
    expect((await service.list()).find((s) => s.key === 'site.motto')).toMatchObject({
      value: 'Old',
      known: false,
      is_public: true,
    });
    expect(await service.publicValues()).toHaveProperty(['site.motto'], 'Old');
    expect(await refusal(service.set(admin(), 'site.motto', 'New'))).toMatchObject({
      code: 'setting.unknown_key',
    });
    await service.remove(admin(), 'site.motto');
    expect(await t.db('Setting').where({ key: 'site.motto' })).toEqual([]);
  });

  it('needs settings:write to set and settings:delete to delete', async () => {
    await service.set(admin(), 'custom.guarded', 1);
    const reader = t.actor(['settings:read']);
    expect(await refusal(service.set(reader, 'custom.guarded', 2))).toMatchObject({
      code: 'auth.forbidden',
      status: 403,
    });
    expect(await refusal(service.remove(t.actor(['settings:write']), 'custom.guarded'))).toMatchObject({
      code: 'auth.forbidden',
    });
    expect(await service.get('custom.guarded')).toMatchObject({ value: 1 });
  });

  it(`holds custom settings to ${MAX_CUSTOM_SETTINGS}`, async () => {
    const existing = Number(
      (await t.db('Setting').whereLike('key', 'custom.%').count<{ n: string }[]>({ n: '*' }))[0]!.n,
    );
    await t.db('Setting').insert(
      Array.from({ length: MAX_CUSTOM_SETTINGS - existing }, (_, i) => ({
        key: `custom.filler.${i}`,
        value: '1',
      })),
    );
    expect(await refusal(service.set(admin(), 'custom.one_too_many', 1))).toMatchObject({
      code: 'setting.limit_reached',
      status: 409,
    });
    // Changing an existing one is still fine.
    await service.set(admin(), 'custom.filler.0', 2);
    await t.db('Setting').whereLike('key', 'custom.filler.%').delete();
  });
});
