import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { GraphQLSchema } from 'graphql';
import {
  GRAPHQL_REFERENCE_FILE,
  graphqlReferencePage,
  heimdallGraphqlSchema,
} from '../../keystone/graphql-reference.js';

describe('the GraphQL schema page of the documentation site', () => {
  let schema: GraphQLSchema;
  let page: string;
  beforeAll(() => {
    schema = heimdallGraphqlSchema();
    page = graphqlReferencePage(schema);
  });

  const rootFields = () =>
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}),
    );

  it('is what the current schema produces (npm run build writes it)', () => {
    expect(readFileSync(GRAPHQL_REFERENCE_FILE, 'utf8')).toBe(page);
  });

  it('lists every query, mutation and subscription, Heimdall’s own operations included', () => {
    const queries = Object.keys(schema.getQueryType()?.getFields() ?? {});
    expect(queries).toEqual(expect.arrayContaining(['me', 'users', 'auditEvents', 'explainPermission']));
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).toContain('auditEvent');
    for (const field of rootFields()) expect(page).toMatch(new RegExp(`\\| \`${field}[(:]`));
  });

  it('holds the same SDL as the committed keystone/schema.graphql, which /api/graphql serves', () => {
    const committed = readFileSync(path.resolve('keystone', 'schema.graphql'), 'utf8');
    const sdl = /```graphql\n([\s\S]*)\n```\n$/.exec(page)?.[1];
    expect(sdl).toBeDefined();
    expect(committed).toContain(`\n\n${sdl}\n`);
  });

  it('is part of the built site, every root field on it', () => {
    const html = readFileSync(path.resolve('dist', 'docs-site', 'reference', 'graphql-schema.html'), 'utf8');
    for (const field of rootFields()) expect(html).toMatch(new RegExp(`<code>${field}[(:]`));
  });
});
