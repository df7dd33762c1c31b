import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Layering (docs/architecture.md), by top-level folder:
 *   server → {api, keystone, oidc, account, realtime} → core → schemas
 * account may use oidc (Heimdall ID's sign-in kit), oidc may not use account; migrations use schemas only;
 * proto (the realtime wire contract) is used by core, realtime and sdk; sdk (what bots and apps use) uses proto
 * only; bench may use anything but test, except the fake chat platforms under test/support that it drives as the
 * tests do; test may use anything; nothing imports bench or test.
 *
 * Zones are folder paths resolved against the repository root, not globs over the import specifier: an import
 * is judged by the file it resolves to, so `sdk/realtime/` is sdk and `realtime/broker/` is realtime.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FOLDERS = [
  'schemas',
  'migrations',
  'proto',
  'core',
  'api',
  'keystone',
  'oidc',
  'account',
  'admin',
  'realtime',
  'server',
  'sdk',
  'bench',
  'test',
];

/** What each folder may import besides itself; every other folder above is off limits. */
const ALLOWED = {
  schemas: [],
  proto: [],
  migrations: ['schemas'],
  // core/db applies the migrations (migrate.ts, databases.ts); migrations themselves import schemas only.
  core: ['schemas', 'proto', 'migrations'],
  api: ['core', 'schemas'],
  keystone: ['core', 'schemas'],
  oidc: ['core', 'schemas'],
  account: ['oidc', 'core', 'schemas'],
  // The panel's browser components use the realtime SDK (and so the wire contract) for the live feed.
  admin: ['core', 'schemas', 'sdk', 'proto'],
  realtime: ['core', 'schemas', 'proto'],
  server: [
    'api',
    'keystone',
    'oidc',
    'account',
    'admin',
    'realtime',
    'core',
    'schemas',
    'migrations',
    'proto',
  ],
  sdk: ['proto'],
  bench: FOLDERS.filter((f) => f !== 'bench' && f !== 'test'),
  test: FOLDERS.filter((f) => f !== 'test'),
};

/** What bench/ may use of test/: the fakes of outside platforms, which stand in for the platform as in tests. */
const BENCH_FAKES = ['./support/fake-discord', './support/fake-twitch', './support/fake-youtube'];

export const layerZones = {
  basePath: root,
  zones: FOLDERS.flatMap((target) => {
    const from = FOLDERS.filter((f) => f !== target && !ALLOWED[target].includes(f));
    return from.length === 0
      ? []
      : [
          {
            target: `./${target}`,
            from: from.map((f) => `./${f}`),
            ...(target === 'bench' ? { except: BENCH_FAKES } : {}),
            message: `${target}/ may import only ${ALLOWED[target].join(', ') || 'itself'} (see docs/architecture.md).`,
          },
        ];
  }),
};
