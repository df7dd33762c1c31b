/* eslint-disable @typescript-eslint/no-explicit-any -- answers are checked as plain JSON */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { ACTIVE_BAN } from '../../core/bans/active-ban.js';
import { createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { generateGraphqlRequests, type GraphqlRequest } from './graphql-documents.js';

/**
 * GraphQL at /api/graphql driven with documents generated from its schema (graphql-documents.ts), checked
 * against: no 5xx; every error carries an `extensions.code` and none is an internal error (bad input is the
 * caller's mistake and is named as such); every mutation field that succeeds leaves exactly one stored audit
 * event per changed record. Reproduce with HEIMDALL_FUZZ_SEED, scale with HEIMDALL_FUZZ_GRAPHQL_CASES.
 */
const SEED = Number(process.env.HEIMDALL_FUZZ_SEED ?? 20261203);
const CASES = Number(process.env.HEIMDALL_FUZZ_GRAPHQL_CASES ?? 2000);
const INTERNAL = new Set(['INTERNAL_SERVER_ERROR', 'internal_error']);

describe('GraphQL from its schema (property-based)', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false', HEIMDALL__LOG__LEVEL: 'error' });
  const keys: Record<string, string | undefined> = { anon: undefined };
  const ids: string[] = [];

  beforeAll(async () => {
    const superId = await createUser(t.db, { roleIds: ['role_super_admin'], twoFactor: true });
    keys.super = (await createKey(t.db, { userId: superId, roleIds: ['role_api_full_access'] })).key;
    keys.read = (await createKey(t.db, { roleIds: ['role_api_read_only'], isSystem: true })).key;
    const victims = await Promise.all([1, 2, 3].map(() => createUser(t.db, { roleIds: ['role_user'] })));
    const victimKey = await createKey(t.db, { userId: victims[0]! });
    await t.db('Setting').insert({ key: 'fuzz.setting', value: JSON.stringify('x') });
    const [point] = await t
      .db('GpsData')
      .insert({ latitude: 1, longitude: 2, timestamp: new Date() })
      .returning<{ id: string }[]>('id');
    ids.push(...victims, victimKey.id, point!.id, 'role_user', 'role_moderator', 'users:read');
    ids.push('email', 'twitch', 'fuzz.setting');
  });

  async function storedEvents(): Promise<number> {
    await t.platform.services.audit.flush();
    const [row] = await t.platform.databases.audit('AuditEvent').count<{ count: string }[]>('* as count');
    return Number(row!.count);
  }

  async function activeBans(): Promise<number> {
    const { rows } = await t.db.raw(`SELECT count(*)::int AS n FROM "UserBan" b WHERE ${ACTIVE_BAN}`);
    return rows[0].n as number;
  }

  /**
   * Records a successful mutation changed: one per non-null root field, one per item of a list answer.
   * Lifting a ban that is not there answers the user and changes nothing (as DELETE /v1/users/{id}/ban):
   * there the change is the number of bans lifted.
   */
  async function changes(
    request: GraphqlRequest,
    data: any,
    bansBefore: number | undefined,
  ): Promise<number> {
    if (request.operation !== 'mutation' || !data) return 0;
    if (bansBefore !== undefined) return bansBefore - (await activeBans());
    return request.fields
      .map((field) => data[field])
      .reduce<number>(
        (n, value) =>
          n + (Array.isArray(value) ? value.filter((v) => v !== null).length : value == null ? 0 : 1),
        0,
      );
  }

  it(`${CASES} generated documents (seed ${SEED}): no 5xx, no internal error, one audit event per change`, async () => {
    const schema = buildSchema(readFileSync('keystone/schema.graphql', 'utf8'));
    // The generated documents, plus a few that surely change something (most generated arguments are refused,
    // as they should be), so that the audit invariant is exercised whatever the seed and the schema's shape.
    const sure: GraphqlRequest[] = Array.from({ length: 10 }, (_, n) => ({
      operation: 'mutation',
      fields: ['createGpsData'],
      body: {
        query: `mutation { createGpsData(data: { latitude: ${n}, longitude: ${n}, timestamp: "2026-01-${String(n + 1).padStart(2, '0')}T00:00:00Z" }) { id } }`,
      },
    }));
    const generated = generateGraphqlRequests(schema, ids, CASES, SEED);
    const requests = generated.flatMap((request, i) =>
      i % Math.ceil(generated.length / sure.length) === 0 && sure.length ? [request, sure.pop()!] : [request],
    );
    const failures = new Map<string, { count: number; example: string }>();
    const callers = ['super', 'super', 'super', 'read', 'anon'];
    let changed = 0;
    for (const [i, request] of requests.entries()) {
      const caller = callers[i % callers.length]!;
      const key = keys[caller];
      const before = request.operation === 'mutation' ? await storedEvents() : 0;
      const unbans = /\bunbanUser\(/.test(String(request.body.query)) ? await activeBans() : undefined;
      const res = await fetch(`${t.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: request.raw ?? JSON.stringify(request.body),
      });
      const text = await res.text();
      let answer: any;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = undefined;
      }
      const problems: string[] = [];
      if (res.status >= 500) problems.push(`HTTP ${res.status}`);
      if (!answer || (answer.data === undefined && !Array.isArray(answer.errors) && !answer.error))
        problems.push('not a GraphQL answer');
      for (const error of answer?.errors ?? []) {
        const code = error?.extensions?.code;
        if (typeof code !== 'string') problems.push('an error without extensions.code');
        else if (INTERNAL.has(code)) problems.push(`${code}: ${String(error.message).slice(0, 60)}`);
      }
      const expected = (answer?.errors ?? []).length === 0 ? await changes(request, answer?.data, unbans) : 0;
      if (request.operation === 'mutation' && expected > 0) {
        changed += expected;
        const stored = (await storedEvents()) - before;
        if (stored !== expected) problems.push(`${stored} audit events for ${expected} changes`);
      }
      for (const problem of problems) {
        const query = String(request.body.query ?? '');
        const field = (query.match(/a0: (\w+)/) ?? query.match(/\{ (\w+)/))?.[1] ?? '?';
        const group = `${request.operation} ${field}: ${problem}`;
        const entry = failures.get(group) ?? {
          count: 0,
          example: `${caller} #${i} ${JSON.stringify(request.body).slice(0, 300)} → ${text.slice(0, 300)}`,
        };
        entry.count++;
        failures.set(group, entry);
      }
    }
    expect(Object.fromEntries(failures)).toEqual({});
    // Some documents must get through validation and change something, so that the audit invariant is
    // exercised: with this seed a handful do (most generated arguments are refused, as they should be).
    expect(changed).toBeGreaterThanOrEqual(Math.min(5, CASES / 400));
  });
});
