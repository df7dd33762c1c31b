import path from 'node:path';
import { createSystem } from '@keystone-6/core/___internal-do-not-use-will-break-in-patch/artifacts';
import { printSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { keystoneConfig } from './config.js';

/**
 * The documentation site's GraphQL schema page, written at build time from the schema /api/graphql serves
 * (Keystone's lists and Heimdall's own operations, as keystone/schema.graphql has them). Building the schema
 * needs no database: the services behind the resolvers are never called.
 */
/** Where `npm run build` writes the page, before VitePress builds the site (git-ignored). */
export const GRAPHQL_REFERENCE_FILE = path.resolve('docs/reference/graphql-schema.md');

export function heimdallGraphqlSchema(): GraphQLSchema {
  return createSystem(keystoneConfig()).graphql.schemas.public;
}

// Descriptions are prose from the schema: kept from being read as HTML or as Vue's {{ }} by VitePress.
const escapeText = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\{/g, '&#123;')
    .replace(/\|/g, '\\|')
    .replace(/\s+/g, ' ');

function rootFields(title: string, type: GraphQLObjectType | null | undefined): string[] {
  if (!type) return [];
  const rows = Object.values(type.getFields()).map((field) => {
    const args = field.args.length
      ? `(${field.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')})`
      : '';
    return `| \`${field.name}${args}: ${String(field.type)}\` | ${escapeText(field.description ?? '')} |`;
  });
  return [`## ${title}`, '', '| field | description |', '| --- | --- |', ...rows, ''];
}

export function graphqlReferencePage(schema: GraphQLSchema): string {
  return [
    '---',
    'title: GraphQL schema',
    'outline: [2, 2]',
    '---',
    '',
    '# GraphQL schema',
    '',
    'The schema `/api/graphql` serves, generated from the code when the documentation is built, so it always',
    'matches this release. What each list and operation lets a caller do is explained in',
    '[GraphQL API](../graphql.md).',
    '',
    ...rootFields('Queries', schema.getQueryType()),
    ...rootFields('Mutations', schema.getMutationType()),
    ...rootFields('Subscriptions', schema.getSubscriptionType()),
    '## Full schema (SDL)',
    '',
    '```graphql',
    printSchema(schema),
    '```',
    '',
  ].join('\n');
}
