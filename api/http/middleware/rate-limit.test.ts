import { describe, expect, it } from '@jest/globals';
import { byGraphqlOperation } from './rate-limit.js';

const post = (query: unknown) => ({ method: 'POST', body: { query } }) as never;

describe('GraphQL requests against the read and write limits', () => {
  it.each([
    ['{ users { id } }', 'read'],
    ['query Me { me { roles } }', 'read'],
    ['mutation { createGpsData(data: {}) { id } }', 'write'],
    ['query A { me { roles } }\nmutation B { deleteGpsData(where: {id: "x"}) { id } }', 'write'],
    ['{ mutationCount }', 'read'],
    [42, 'write'],
  ])('%s → %s', (query, kind) => {
    expect(byGraphqlOperation(post(query))).toBe(kind);
  });

  it('GET is a read', () => {
    expect(byGraphqlOperation({ method: 'GET', body: undefined } as never)).toBe('read');
  });
});
