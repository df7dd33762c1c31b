import { afterAll, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { wire } from '../../proto/index.js';
import type { PublicationEvent } from '../../sdk/realtime/index.js';
import { call, createKey } from '../support/fixtures.js';
import { subscribe, wsClient } from '../support/graphql-ws.js';
import { useTestPlatform } from '../support/platform.js';
import { describeModes, modeVars, trackClients, waitUntil, wsUrl } from '../support/realtime.js';

/**
 * One live-event path: a stored audit event is published once, on the realtime broker's `audit` channel, and
 * that one publication reaches a GraphQL subscriber (graphql-ws on /api/graphql) and a realtime client (/ws).
 */
describeModes('a stored audit event, live', (mode) => {
  const t = useTestPlatform({ ...modeVars(mode), HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, [
    'api',
    'realtime',
  ]);
  const clients = trackClients();
  const graphqlClients: Client[] = [];
  afterAll(async () => {
    await Promise.all(graphqlClients.map((c) => c.dispose()));
  });

  it('is published once and heard by a GraphQL subscription and a /ws subscriber alike', async () => {
    const key = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const graphql = wsClient(t.url, key);
    graphqlClients.push(graphql);
    const sub = subscribe(
      graphql,
      'subscription { auditEvent(filter: { eventTypes: ["bot_command_executed"] }) { id eventType userId metadata } }',
    );
    const realtime = await clients.sdk(wsUrl(t.url), key);
    const heard: PublicationEvent[] = [];
    await realtime.subscribe('audit', { publication: (e) => heard.push(e) });
    // The GraphQL subscription is live once this node's broker subscription to `audit` is.
    await new Promise((r) => setTimeout(r, 300));
    const broker = t.platform.services.realtimeBroker;
    const before = (await broker.history('audit')).position;

    const res = await call(t.url, 'POST', '/v1/audit', {
      key,
      body: {
        event_type: 'bot_command_executed',
        source_service: 'discord_bot',
        user_id: '123456789012345678',
        metadata: { command: 'ban' },
      },
    });
    expect(res.status).toBe(201);
    const id = (res.body as { ids: string[] }).ids[0]!;
    const ofEvent = (e: PublicationEvent) => e.payload.audit?.id === id;

    await sub.until(() => sub.events.length > 0);
    await waitUntil(() => heard.some(ofEvent), 'the event on /ws');
    // Anything sent twice would have arrived by now.
    await new Promise((r) => setTimeout(r, 300));

    expect(sub.errors).toEqual([]);
    expect(sub.events).toEqual([
      {
        auditEvent: {
          id,
          eventType: 'bot_command_executed',
          userId: '123456789012345678',
          metadata: expect.objectContaining({ command: 'ban' }),
        },
      },
    ]);
    expect(heard.filter(ofEvent)).toHaveLength(1);
    expect(heard.find(ofEvent)!.payload.audit).toMatchObject({
      eventType: 'bot_command_executed',
      userId: '123456789012345678',
    });
    const since = await broker.history('audit', before);
    expect(since.recovered).toBe(true);
    const carrying = since.publications.filter((p) => wire.Payload.decode(p.payload).audit?.id === id);
    expect(carrying).toHaveLength(1);
    sub.stop();
  });
});
