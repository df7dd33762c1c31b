import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GRAPHQL_REFERENCE_FILE, graphqlReferencePage, heimdallGraphqlSchema } from '../graphql-reference.js';

// Part of `npm run build`, before VitePress: the documentation site's GraphQL schema page.
await mkdir(path.dirname(GRAPHQL_REFERENCE_FILE), { recursive: true });
await writeFile(GRAPHQL_REFERENCE_FILE, graphqlReferencePage(heimdallGraphqlSchema()));
