import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, isInputObjectType, isObjectType, type GraphQLObjectType } from 'graphql';
import { buildKeystoneArtifacts, GRAPHQL_SCHEMA_FILE, PRISMA_SCHEMA_FILE } from '../../keystone/artifacts.js';

describe('Keystone artifacts', () => {
  it('the committed schema.prisma and schema.graphql are what the lists produce (run npm run keystone:artifacts)', async () => {
    const built = await buildKeystoneArtifacts();
    expect(built.prisma).toBe(await readFile(PRISMA_SCHEMA_FILE, 'utf8'));
    expect(built.graphql).toBe(await readFile(GRAPHQL_SCHEMA_FILE, 'utf8'));
  });

  it('never exposes a stored secret: no list type, filter, sort or input has one', async () => {
    const schema = buildSchema(await readFile(GRAPHQL_SCHEMA_FILE, 'utf8'));
    const secret = /hash|secret|seed|backupcode/i;
    // Issuing payloads show a new secret once (their job), and mutations may be named for it; nothing else.
    const issuing = new Set(['IssuedApiKey', 'IssuedOAuthClient', 'Mutation']);
    const offenders: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || issuing.has(type.name)) continue;
      if (!isObjectType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.keys(type.getFields()))
        if (secret.test(field)) offenders.push(`${type.name}.${field}`);
    }
    expect(offenders).toEqual([]);
    expect(Object.keys((schema.getType('IssuedOAuthClient') as GraphQLObjectType).getFields())).toContain(
      'clientSecret',
    );
  });
});
