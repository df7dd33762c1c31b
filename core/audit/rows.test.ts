import { describe, expect, it } from '@jest/globals';
import { AppError } from '../errors/index.js';
import { fastRow, schemaRow, toAuditRow, type AuditRow } from './rows.js';

/**
 * toAuditRow's fast path must agree with the schema: whatever it accepts, auditEventInputSchema accepts with the
 * same row (id and time aside, which both draw fresh); whatever it declines goes to the schema.
 */
const BASE = {
  event_type: 'token_created',
  user_id: 'user-1',
  actor_id: 'oauth_client:hc_x',
  resource_type: 'oauth_client',
  resource_id: 'hc_x',
  ip_address: '127.0.0.1',
  user_agent: 'autocannon',
  metadata: { client_id: 'hc_x', grant_type: 'client_credentials', scope: 'api', refresh_token: false },
  source_service: 'id',
};

const strings = [
  undefined,
  null,
  '',
  ' ',
  ' x ',
  '\tx\n',
  'x',
  'é'.repeat(100),
  'a'.repeat(100),
  'a'.repeat(101),
  'a'.repeat(255),
  'a'.repeat(256),
  ` ${'a'.repeat(255)} `,
  'a'.repeat(1024),
  'a'.repeat(1025),
  'a'.repeat(2000),
  'a'.repeat(2001),
  0,
  1,
  true,
  {},
  ['x'],
];

const symbolKeyed = { a: 1, [Symbol('s')]: 2 };
const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
class Thing {
  a = 1;
}
const metadatas = [
  undefined,
  null,
  {},
  { a: 1, b: 'x', c: null, d: [1, { e: 2 }] },
  { a: undefined },
  { 2: 'two', 1: 'one', z: 'z' },
  [],
  [1, 2],
  'x',
  1,
  new Date(0),
  new Map([['a', 1]]),
  new Thing(),
  nullProto,
  symbolKeyed,
  hidden,
  JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown,
  { constructor: 'x' },
  { toJSON: () => ({ replaced: true }) },
];

const ips = [
  undefined,
  null,
  '127.0.0.1',
  '10.0.0.255',
  '1.2.3.256',
  '01.2.3.4',
  ' 127.0.0.1',
  '127.0.0.1\n',
  '::1',
  '::1\n',
  '::ffff:1.2.3.4',
  '2001:db8::8a2e:370:7334',
  'fe80::1%eth0',
  '::@1\\',
  'localhost',
  '',
  1,
];

function variants(): unknown[] {
  const out: unknown[] = [BASE, { event_type: 'login' }, {}, null, [], 'login', new Thing()];
  for (const field of ['user_id', 'actor_id', 'resource_type', 'resource_id']) {
    for (const v of strings) out.push({ ...BASE, [field]: v });
  }
  for (const field of ['user_agent', 'description', 'error_message']) {
    for (const v of strings) out.push({ ...BASE, [field]: v });
  }
  for (const v of metadatas) out.push({ ...BASE, metadata: v });
  for (const v of ips) out.push({ ...BASE, ip_address: v });
  for (const v of [undefined, null, 'login', 'nope', '', 'LOGIN', 1]) out.push({ ...BASE, event_type: v });
  for (const v of [undefined, null, 'success', 'failure', 'ok', 1]) out.push({ ...BASE, status: v });
  for (const v of [undefined, null, 'api', 'id', 'elsewhere', 1]) out.push({ ...BASE, source_service: v });
  for (const v of [undefined, null, true, false, 'true', 0]) out.push({ ...BASE, is_reported: v });
  for (const v of [undefined, null, '6f9619ff-8b86-4d01-b42d-00cf4fc964ff', 'nope'])
    out.push({ ...BASE, id: v });
  for (const v of [undefined, null, '2020-01-01T00:00:00Z', new Date().toISOString(), new Date(0), 'nope'])
    out.push({ ...BASE, created_at: v });
  out.push({ ...BASE, extra: 1 }, { ...BASE, extra: undefined });
  out.push(Object.assign(Object.create({ inherited: 1 }) as object, BASE));
  return out;
}

const comparable = (row: AuditRow) => ({ ...row, id: undefined, created_at: undefined });

describe('audit rows: the fast path agrees with the schema', () => {
  it('accepts only what the schema accepts, with the same row', () => {
    let accepted = 0;
    for (const input of variants()) {
      const fast = fastRow(input as Record<string, unknown>);
      let reference: AuditRow | undefined;
      try {
        reference = schemaRow(input as never);
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
      }
      if (fast === undefined) continue;
      accepted += 1;
      if (!reference) throw new Error(`fast path accepted what the schema refuses: ${String(input)}`);
      expect(comparable(fast)).toEqual(comparable(reference));
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('takes the events Heimdall records itself: a grant, a sign-in, a failure', () => {
    expect(fastRow(BASE)).toBeDefined();
    expect(
      fastRow({
        event_type: 'login_failed',
        status: 'failure',
        error_message: 'wrong password',
        ip_address: '::1',
        metadata: { reason: 'password' },
      }),
    ).toBeDefined();
    expect(fastRow({ event_type: 'logout', user_id: 'u', is_reported: false })).toBeDefined();
  });

  it('still refuses bad events with the fields named, and keeps given ids and times', () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    expect(() => toAuditRow({ event_type: 'nope', source_service: 'elsewhere' } as never)).toThrow(AppError);
    try {
      toAuditRow({ ...BASE, user_id: ' ', extra: 1 } as never);
    } catch (err) {
      expect((err as AppError).code).toBe('audit.invalid_event');
      expect((err as AppError).details?.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'user_id' })]),
      );
    }
    const row = toAuditRow({
      ...BASE,
      id: '6f9619ff-8b86-4d01-b42d-00cf4fc964ff',
      created_at: yesterday.replace(/\.\d+Z$/, 'Z'),
    } as never);
    expect(row.id).toBe('6f9619ff-8b86-4d01-b42d-00cf4fc964ff');
    expect(row.created_at).toBe(yesterday.replace(/\.\d+Z$/, '.000Z'));
  });

  it('trims short texts and keeps the metadata as JSON text', () => {
    const row = toAuditRow({ ...BASE, user_id: '  u-1 ', metadata: { a: [1, 'x'] } } as never);
    expect(row.user_id).toBe('u-1');
    expect(JSON.parse(row.metadata)).toEqual({ a: [1, 'x'] });
  });
});

describe('audit rows: recording times', () => {
  it('are ISO times with microseconds, close to the clock, and strictly increasing even within a millisecond', () => {
    const before = Date.now();
    const times = Array.from({ length: 3000 }, () => toAuditRow({ event_type: 'login' }).created_at);
    const after = Date.now();
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const micros = times.map((t) => Date.parse(t) * 1000 + Number(t.slice(23, 26)));
    for (let i = 1; i < micros.length; i += 1) expect(micros[i]!).toBeGreaterThan(micros[i - 1]!);
    expect(micros[0]!).toBeGreaterThanOrEqual(before * 1000);
    // 3,000 events may run up to 3 ms ahead of the clock, never further.
    expect(micros.at(-1)!).toBeLessThanOrEqual(after * 1000 + 3000);
  });
});
