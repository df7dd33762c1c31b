import { describe, expect, it } from '@jest/globals';
import type { AuditEventRecord } from '../../schemas/audit.js';
import { createMemoryCache } from '../cache/create.js';
import { toAuditRow, type AuditRow } from './rows.js';
import { auditRecordJson, createAuditStream, toAuditRecord } from './stream.js';

const rows = (): AuditRow[] => [
  toAuditRow({
    event_type: 'token_created',
    actor_id: 'oauth_client:hc_x',
    resource_type: 'oauth_client',
    resource_id: 'hc_x',
    ip_address: '127.0.0.1',
    metadata: { client_id: 'hc_x', scope: 'api', refresh_token: false, n: 1.5, nested: { a: [null, 'é'] } },
    source_service: 'id',
  }),
  {
    ...toAuditRow({
      event_type: 'login_failed',
      status: 'failure',
      user_id: 'u"1\\',
      user_agent: 'tab\there\nnewline \u2028 "quoted" \\ back',
      description: '\u0000 control \u001f',
      error_message: 'wrong password',
      is_reported: true,
    }),
    country_code: 'SE',
    country_name: 'Sweden',
    city: 'Göteborg',
    region: 'Västra Götaland',
  },
];

describe('audit stream', () => {
  it('a row as JSON is its record', () => {
    for (const row of rows()) expect(JSON.parse(auditRecordJson(row))).toEqual(toAuditRecord(row));
  });

  it('listeners hear published rows as their records, in order', async () => {
    const bus = createMemoryCache();
    const stream = createAuditStream(bus, (err) => {
      throw err;
    });
    await stream.start();
    const heard: AuditEventRecord[] = [];
    stream.listen((e) => heard.push(e));
    const stored = rows();
    stream.publishRows(stored);
    stream.publishRows([]);
    for (let i = 0; i < 50 && heard.length < stored.length; i += 1)
      await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual(stored.map(toAuditRecord));
    await stream.stop();
    await bus.close();
  });

  it('another node hears them too, once it has a listener; records published as records still work', async () => {
    const bus = createMemoryCache();
    const fail = (err: unknown) => {
      throw err;
    };
    const a = createAuditStream(bus, fail);
    const b = createAuditStream(bus, fail);
    await Promise.all([a.start(), b.start()]);
    const stored = rows();
    a.publishRows(stored.slice(0, 1)); // nobody listens yet: dropped, as live-only delivery does
    await new Promise((r) => setTimeout(r, 20));
    const heard: AuditEventRecord[] = [];
    const stop = b.listen((e) => heard.push(e));
    a.publishRows(stored.slice(1));
    a.publish([toAuditRecord(stored[0]!)]);
    for (let i = 0; i < 50 && heard.length < 2; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual([toAuditRecord(stored[1]!), toAuditRecord(stored[0]!)]);
    stop();
    await Promise.all([a.stop(), b.stop()]);
    await bus.close();
  });
});
