import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { useCoreServices } from '../../test/support/core-services.js';
import type { AppError } from '../errors/index.js';
import { createGpsService, type GpsService } from './service.js';

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (err: AppError) => ({ code: err.code, status: err.status, details: err.details }),
  );

const BASE = Date.parse('2026-03-01T00:00:00Z');

describe('GPS service', () => {
  const t = useCoreServices();
  let service: GpsService;
  /** Every point as the list must order it: timestamp, then id, newest first. */
  let expected: { id: string; timestamp: string }[];

  beforeAll(async () => {
    service = createGpsService({ db: t.db, audit: t.audit });
    // 250 points a minute apart, except that every fifth pair shares a timestamp (ties are broken by id).
    const rows = Array.from({ length: 250 }, (_, i) => ({
      id: randomUUID(),
      latitude: 52 + i / 1000,
      longitude: 13 + i / 1000,
      altitude: i % 2 ? null : 40,
      speed: i % 3 ? 1.5 : null,
      timestamp: new Date(BASE + (i - (i % 5 === 1 ? 1 : 0)) * 60_000),
    }));
    await t.db('GpsData').insert(rows);
    expected = rows
      .map((r) => ({ id: r.id, timestamp: r.timestamp.toISOString().replace('Z', '000Z') }))
      .sort((a, b) =>
        a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1,
      );
  });

  it('pages through every point newest first, ties broken by id, none skipped or repeated', async () => {
    const seen: { id: string; timestamp: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.list({ limit: 40, ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((p) => ({ id: p.id, timestamp: p.timestamp })));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(7);
    expect(seen).toEqual(expected);
  });

  it('filters by measuring time, from inclusive and to exclusive', async () => {
    const from = new Date(BASE + 10 * 60_000).toISOString();
    const to = new Date(BASE + 20 * 60_000).toISOString();
    const page = await service.list({ from, to, limit: 500 });
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((p) => p.id)).toEqual(
      expected
        .filter((p) => p.timestamp >= from.replace('Z', '000Z') && p.timestamp < to.replace('Z', '000Z'))
        .map((p) => p.id),
    );
    expect(page.data[0]).toMatchObject({
      latitude: expect.any(Number),
      created_at: expect.stringMatching(/Z$/),
    });
  });

  it('answers the newest points for a map', async () => {
    expect((await service.recent(5)).map((p) => p.id)).toEqual(expected.slice(0, 5).map((p) => p.id));
    expect(await service.recent()).toHaveLength(250);
  });

  it('refuses bad queries with 400 naming the field', async () => {
    const field = async (work: Promise<unknown>) =>
      ((await refusal(work)).details as { fields: { field: string }[] }).fields.map((f) => f.field);
    expect(await field(service.list({ limit: 501 }))).toEqual(['limit']);
    expect(await field(service.list({ limit: 0 }))).toEqual(['limit']);
    expect(await field(service.list({ cursor: 'bm9wZQ' }))).toEqual(['cursor']);
    expect(await field(service.list({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }))).toEqual([
      'from',
    ]);
    expect(await field(service.list({ from: 'yesterday' }))).toEqual(['from']);
    expect(await field(service.list({ bogus: 1 } as never))).toEqual(['']);
    expect(await field(service.recent(2001))).toEqual(['']);
  });

  it('deletes a point with gps:delete and records what it was', async () => {
    const [target] = expected;
    const actor = t.actor(['gps:read', 'gps:delete']);
    await service.remove(actor, target!.id);
    expect(await t.db('GpsData').where({ id: target!.id })).toEqual([]);
    const [event] = await t.events('gps_data_changed', target!.id);
    expect(event).toMatchObject({
      resource_type: 'gps_data',
      actor_id: actor.auth.user!.id,
      source_service: 'admin',
      metadata: { operation: 'delete', point: expect.objectContaining({ timestamp: target!.timestamp }) },
    });
    expect(await refusal(service.remove(actor, target!.id))).toMatchObject({
      code: 'gps.not_found',
      status: 404,
    });
    expect(await refusal(service.remove(actor, 'not-a-uuid'))).toMatchObject({
      code: 'request.validation_failed',
      status: 400,
    });
    const [other] = expected.slice(1);
    expect(await refusal(service.remove(t.actor(['gps:read', 'gps:write']), other!.id))).toMatchObject({
      code: 'auth.forbidden',
      status: 403,
    });
    expect(await t.db('GpsData').where({ id: other!.id })).toHaveLength(1);
  });
});
