// Generates the Prisma client Keystone uses from the committed keystone/schema.prisma, offline: part of
// `npm run build` (and so of `npm start` and `npm test`). Plain JavaScript because it runs before tsc.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const stub = path.resolve('keystone/prisma/no-schema-engine.sh');
const result = spawnSync(
  process.execPath,
  [path.resolve('node_modules/prisma/build/index.js'), 'generate', '--schema', 'keystone/schema.prisma'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: stub,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  },
);
process.exit(result.status ?? 1);
