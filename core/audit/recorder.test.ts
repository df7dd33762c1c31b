import { describe, expect, it } from '@jest/globals';
import { createAuthContext } from '../auth/context.js';
import type { Actor } from '../shared/actor.js';
import { auditRecorder, bySelf } from './recorder.js';

const auth = createAuthContext({
  user: { id: '00000000-0000-4000-8000-000000000001', username: 'ada' },
  apiKey: null,
  sessionId: null,
  roles: [],
  roleIds: [],
  permissions: [],
  scopes: ['*'],
  ownerCap: null,
  twoFactorRequired: false,
  twoFactorVerified: false,
});

function recorded(by: Actor | Parameters<ReturnType<typeof auditRecorder>['record']>[1]) {
  const events: Record<string, unknown>[] = [];
  const recorder = auditRecorder(
    {
      record: (event) => {
        events.push(event as Record<string, unknown>);
        return 'id';
      },
    },
    { resource_type: 'setting' },
  );
  recorder.record('setting_changed', by, { resource_id: 'site.name' });
  return events[0];
}

describe('auditRecorder', () => {
  it('records an Actor as source api unless it names its own source', () => {
    const actor: Actor = { auth, ip: '::ffff:10.0.0.1', userAgent: 'test' };
    expect(recorded(actor)).toEqual({
      event_type: 'setting_changed',
      resource_type: 'setting',
      resource_id: 'site.name',
      actor_id: auth.user!.id,
      ip_address: '10.0.0.1',
      user_agent: 'test',
      source_service: 'api',
    });
    expect(recorded({ ...actor, source: 'admin' })).toMatchObject({ source_service: 'admin' });
  });

  it('records an Origin with its own source', () => {
    expect(recorded(bySelf('u1', { ip: '127.0.0.1' }))).toMatchObject({
      actor_id: 'u1',
      ip_address: '127.0.0.1',
      source_service: 'id',
    });
  });
});
