import { beforeAll, describe, expect, it } from '@jest/globals';
import { CALLERS, createCallers, type Caller } from '../support/callers.js';
import { graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * The authorization matrix of the auth issue, for GraphQL: each operation (one per list, plus Heimdall's own) as
 * every kind of caller (test/support/callers.ts), the whole table compared at once.
 * A = answered without errors; 401 / 403 = refused (auth.required or a bad credential / forbidden, missing scope,
 * pending 2FA, no user behind a system key).
 */
type Cell = 'A' | 401 | 403;

// prettier-ignore
const EXPECTED: Record<string, Cell[]> = {
  //                                   anon super admin mod  user  dev  mod2fa full  ro   ro-u  f-gps exp  inact rev
  '{ me { roles } }':                  [401, 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  '{ can(resource: "users", action: "read") }':
                                       ['A', 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 'A', 'A', 401, 401, 401],
  '{ users { id } }':                  [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 'A', 403, 401, 401, 401],
  '{ roles { id } }':                  [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  '{ apiKeys { id } }':                [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  '{ oAuthClients { id } }':           [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  '{ settings { id } }':               [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  '{ gpsDataPoints { id } }':          [401, 'A', 'A', 'A', 403, 403, 403,  'A', 'A', 403, 'A', 401, 401, 401],
  'mutation { createGpsData }':        [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'mutation { updateSetting }':        [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  '{ auditEvents { nodes { id } } }':  [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  '{ explainPermission { allowed } }': [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  '{ myActivity { nodes { id } } }':   [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  '{ myLinkedAccounts { id } }':       [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  '{ signInMethods { id } }':          [401, 'A', 'A', 'A', 403, 403, 403,  'A', 'A', 'A', 403, 401, 401, 401],
  'mutation { setPrivacyMode }':      [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
};

const DOCUMENTS: Record<string, string> = {
  'mutation { createGpsData }':
    'mutation { createGpsData(data: { latitude: 1, longitude: 2, timestamp: "2026-11-23T00:00:00Z" }) { id } }',
  'mutation { updateSetting }':
    'mutation { updateSetting(where: { id: "custom.matrix" }, data: { isPublic: true }) { id } }',
  'mutation { setPrivacyMode }': 'mutation { setPrivacyMode(privacyMode: false) { id } }',
};

const REFUSALS: Record<string, Cell> = {
  'auth.required': 401,
  'auth.forbidden': 403,
  'auth.insufficient_scope': 403,
  'auth.two_factor_required': 403,
  'auth.user_required': 403,
};

describe('GraphQL authorization matrix: operations × every kind of caller', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let keys: Record<Caller, string | undefined>;

  beforeAll(async () => {
    const callers = await createCallers(t.db);
    keys = callers.keys;
    await t.db('Setting').insert({ key: 'custom.matrix', value: JSON.stringify(true) });
    DOCUMENTS['{ explainPermission { allowed } }'] =
      `{ explainPermission(permission: "users:read", userId: "${callers.userIds.user}") { allowed } }`;
    DOCUMENTS['{ signInMethods { id } }'] = `{ signInMethods(userId: "${callers.userIds.user}") { id } }`;
  });

  it('allows and refuses exactly as the table says', async () => {
    const actual: Record<string, Cell[]> = {};
    const unexpected: string[] = [];
    for (const operation of Object.keys(EXPECTED)) {
      actual[operation] = [];
      for (const caller of CALLERS) {
        const res = await graphqlClient(t.url, keys[caller])(DOCUMENTS[operation] ?? operation);
        let cell: Cell = 'A';
        if (res.status === 401) cell = 401;
        else if (res.errors.length > 0) {
          const code = String(res.errors[0]!.extensions?.code);
          cell = REFUSALS[code] ?? 403;
          if (!REFUSALS[code]) unexpected.push(`${operation} as ${caller}: ${JSON.stringify(res.errors)}`);
        }
        actual[operation].push(cell);
      }
    }
    expect(unexpected).toEqual([]);
    expect(actual).toEqual(EXPECTED);
  });
});
