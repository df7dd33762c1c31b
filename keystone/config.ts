import { config } from '@keystone-6/core';
import { notWired, type ExtensionServices } from './graphql/builder.js';
import { heimdallExtensions } from './graphql/extensions.js';
import { buildLists } from './lists/all.js';
import { schemaFixups } from './prisma-fixups.js';
import { batchRelationReads } from './relation-batching.js';

/** Where the generated Prisma client goes, relative to keystone/schema.prisma (git-ignored, made by `npm run build`). */
export const PRISMA_CLIENT_OUTPUT = 'generated/prisma';

/**
 * The Prisma generator Keystone prints, adjusted for this project: an ESM client whose relative imports end in
 * .js, so that tsc compiles it with the rest of the code and Node runs it as is.
 */
const generatorForNode = (schema: string) =>
  schemaFixups(schema).replace(
    /generator client \{[^}]*\}/,
    `generator client {\n  provider = "prisma-client"\n  output = "${PRISMA_CLIENT_OUTPUT}"\n  moduleFormat = "esm"\n  importFileExtension = "js"\n}`,
  );

export interface KeystoneOptions {
  /** Options for the PrismaClient Keystone creates: the driver adapter on Heimdall's database. */
  prismaClientOptions?: () => Record<string, unknown>;
  /** Largest `take` of any list query (config graphql.max_page_size); the committed schema uses 100. */
  maxPageSize?: number;
  /** The services Heimdall's own operations call (absent when only printing the schema). */
  services?: () => ExtensionServices;
}

/**
 * Heimdall's Keystone: lists over the tables the knex migrations own (Keystone never creates or alters one),
 * its Admin UI off (AdminJS is the UI), the GraphQL API served by api/ at /api/graphql.
 */
export function keystoneConfig(options: KeystoneOptions = {}) {
  const services = options.services ?? notWired;
  return config({
    db: {
      provider: 'postgresql',
      idField: { kind: 'uuid' },
      prismaSchemaPath: 'keystone/schema.prisma',
      prismaClientPath: `keystone/${PRISMA_CLIENT_OUTPUT}`,
      extendPrismaSchema: generatorForNode,
      prismaClientOptions: options.prismaClientOptions ?? (() => ({})),
      extendPrismaClient: batchRelationReads,
    },
    graphql: { path: '/api/graphql', extendGraphqlSchema: heimdallExtensions(services) },
    ui: { isDisabled: true },
    telemetry: false,
    listDefaults: { graphql: { maxTake: options.maxPageSize ?? 100 } },
    lists: buildLists(services),
  });
}
