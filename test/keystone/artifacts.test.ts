import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { buildKeystoneArtifacts, GRAPHQL_SCHEMA_FILE, PRISMA_SCHEMA_FILE } from '../../keystone/artifacts.js';

describe('Keystone artifacts', () => {
  it('the committed schema.prisma and schema.graphql are what the lists produce (run npm run keystone:artifacts)', async () => {
    const built = await buildKeystoneArtifacts();
    expect(built.prisma).toBe(await readFile(PRISMA_SCHEMA_FILE, 'utf8'));
    expect(built.graphql).toBe(await readFile(GRAPHQL_SCHEMA_FILE, 'utf8'));
  });

  it('never reaches a secret: no hash, secret or seed in the GraphQL schema', async () => {
    const graphql = await readFile(GRAPHQL_SCHEMA_FILE, 'utf8');
    for (const field of ['keyHash', 'passwordHash', 'clientSecret', 'secret', 'backupCode'])
      expect(graphql).not.toMatch(new RegExp(`\\b${field}\\b`, 'i'));
  });
});
