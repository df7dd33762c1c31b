import path from 'node:path';

/** An executable that explains and fails: Heimdall never lets Prisma's schema engine touch a database. */
export const SCHEMA_ENGINE_STUB = path.resolve('keystone/prisma/no-schema-engine.sh');
