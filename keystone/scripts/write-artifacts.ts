import { writeFile } from 'node:fs/promises';
import { buildKeystoneArtifacts, GRAPHQL_SCHEMA_FILE, PRISMA_SCHEMA_FILE } from '../artifacts.js';

// `npm run keystone:artifacts`: rewrites keystone/schema.prisma and schema.graphql after a list changes.
const artifacts = await buildKeystoneArtifacts();
await writeFile(PRISMA_SCHEMA_FILE, artifacts.prisma);
await writeFile(GRAPHQL_SCHEMA_FILE, artifacts.graphql);
console.log(`wrote ${PRISMA_SCHEMA_FILE} and ${GRAPHQL_SCHEMA_FILE}`);
