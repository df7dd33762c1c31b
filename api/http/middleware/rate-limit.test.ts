import { describe, expect, it } from '@jest/globals';
import { byGraphqlOperation } from './rate-limit.js';

const post = (query: unknown, operationName?: string) =>
  ({ method: 'POST', body: { query, operationName } }) as never;

describe('GraphQL requests against the read and write limits', () => {
  it.each([
    ['{ users { id } }', 'read', 1],
    ['query Me { me { roles } }', 'read', 1],
    ['mutation { createGpsData(data: {}) { id } }', 'write', 1],
    ['query A { me { roles } }\nmutation B { deleteGpsData(where: {id: "x"}) { id } }', 'write', 1],
    ['{ mutationCount }', 'read', 1],
    ['{ users(where: { name: "mutation" }) { id } }', 'read', 1],
    [42, 'write', 1],
    ['mutation {', 'write', 1],
    [
      `mutation { ${Array.from({ length: 20 }, (_, i) => `k${i}: createApiKey(data: { name: "x" }) { key }`).join(' ')} }`,
      'write',
      20,
    ],
    [
      'mutation { a: deleteGpsData(where: {id: "x"}) { id } ...F ...F } fragment F on Mutation { b: x c: y }',
      'write',
      3,
    ],
    ['mutation { ... on Mutation { a b } c }', 'write', 3],
  ])('%s → %s × %d', (query, kind, points) => {
    expect(byGraphqlOperation(post(query))).toEqual({ kind, points });
  });

  it('counts the operation that runs when the document names several', () => {
    const document = 'query Q { me { roles } } mutation M { a b c }';
    expect(byGraphqlOperation(post(document, 'Q'))).toEqual({ kind: 'read', points: 1 });
    expect(byGraphqlOperation(post(document, 'M'))).toEqual({ kind: 'write', points: 3 });
    expect(byGraphqlOperation(post(document))).toEqual({ kind: 'write', points: 3 });
  });

  it('GET is a read', () => {
    expect(byGraphqlOperation({ method: 'GET', body: undefined } as never)).toEqual({
      kind: 'read',
      points: 1,
    });
  });
});
