import { PrismaPg } from '@prisma/adapter-pg';
import { getContext } from '@keystone-6/core/context';
import type { KeystoneContext } from '@keystone-6/core/types';
import { keystoneConfig } from './config.js';
import type { ExtensionServices } from './graphql/builder.js';
import * as PrismaModule from './generated/prisma/client.js';
import { countStatements, type StatementCount } from './statement-count.js';

export type Keystone = KeystoneContext;

/**
 * Keystone's context on Heimdall's primary database, through Prisma's pg driver adapter (no Prisma engine
 * binary anywhere). Call `.withSession(auth)` per request; `.sudo()` only for trusted internal work.
 */
export function createKeystoneContext(options: {
  databaseUrl: string;
  poolMax: number;
  maxPageSize?: number;
  services: () => ExtensionServices;
}): {
  context: Keystone;
  /** SQL statements sent so far (tests and the benchmark compare it before and after a request). */
  sql: StatementCount;
  close(): Promise<void>;
} {
  const { factory: adapter, count } = countStatements(
    new PrismaPg({ connectionString: options.databaseUrl, max: options.poolMax }),
  );
  const config = keystoneConfig({
    prismaClientOptions: () => ({ adapter }),
    services: options.services,
    ...(options.maxPageSize ? { maxPageSize: options.maxPageSize } : {}),
  });
  const context = getContext(config, PrismaModule) as Keystone;
  return { context, sql: count, close: () => context.prisma.$disconnect() };
}
