import path from 'node:path';
import {
  buildArtifacts,
  createSystem,
} from '@keystone-6/core/___internal-do-not-use-will-break-in-patch/artifacts';
import { keystoneConfig, PRISMA_CLIENT_OUTPUT } from './config.js';
import { SCHEMA_ENGINE_STUB } from './prisma/paths.js';

export const PRISMA_SCHEMA_FILE = path.resolve('keystone/schema.prisma');
export const GRAPHQL_SCHEMA_FILE = path.resolve('keystone/schema.graphql');

/**
 * The Prisma schema and the GraphQL schema Keystone derives from the lists, formatted as committed in
 * keystone/. Prisma's formatter runs from its WASM build; the CLI only insists that a schema-engine binary
 * path exists, so it is pointed at a stub that refuses to run (knex migrations own all DDL).
 */
export async function buildKeystoneArtifacts(): Promise<{ prisma: string; graphql: string }> {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= SCHEMA_ENGINE_STUB;
  const system = createSystem(keystoneConfig());
  return buildArtifacts(process.cwd(), system, PRISMA_CLIENT_OUTPUT);
}
