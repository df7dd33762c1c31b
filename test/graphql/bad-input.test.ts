/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient, type GraphqlAnswer } from '../support/graphql.js';
import { wsClient } from '../support/graphql-ws.js';
import { useTestPlatform } from '../support/platform.js';

/** One operation over graphql-ws; resolves with the errors it ended with (none when it answered). */
function overWs(client: Client, query: string, variables?: Record<string, unknown>): Promise<any[]> {
  return new Promise((resolve) => {
    const errors: any[] = [];
    client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => errors.push(...(value.errors ?? [])),
        error: (err) => resolve(Array.isArray(err) ? err : [err]),
        complete: () => resolve(errors),
      },
    );
  });
}

/**
 * One operation over graphql-ws from raw frames, so that the variables can be JSON no client would build
 * (JSON.stringify itself overflows on 10,000 levels): resolves with the server's answer to it.
 */
function rawWsOperation(httpUrl: string, key: string, variablesJson: string, query: string): Promise<any> {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/api/graphql`, 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        socket.send(
          `{"type":"subscribe","id":"1","payload":{"query":${JSON.stringify(query)},"variables":${variablesJson}}}`,
        );
      } else if (message.type === 'error' || message.type === 'next') {
        socket.close();
        resolve(message);
      }
    });
    socket.on('close', (code) => reject(new Error(`closed with ${code} before an answer`)));
    socket.on('error', reject);
  });
}

/** `[[[…1…]]]`, `depth` levels deep, as JSON text. */
const nestedJson = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

const noStackOrInternals = (answer: GraphqlAnswer) =>
  expect(JSON.stringify(answer.errors)).not.toMatch(/stacktrace|prisma|invocation|\.ts:\d+|\n\s+at /i);

describe('GraphQL with introspection off describes nothing of the schema', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__GRAPHQL__INTROSPECTION: 'false',
  });
  const clients: Client[] = [];
  let key: string;

  beforeAll(async () => {
    const userId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    key = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('answers a misspelt field, argument, type or input field without "Did you mean"', async () => {
    const anonymous = graphqlClient(t.url);
    for (const query of [
      '{ usrs { id } }',
      '{ users(tak: 1) { id } }',
      'query($w: UserWherInput) { users(where: $w) { id } }',
      '{ users(where: { usernam: { equals: "a" } }) { id } }',
    ]) {
      const answer = await anonymous(query);
      expect(answer.status).toBe(400);
      expect(codes(answer)).toEqual(['graphql.invalid_query']);
      expect(answer.errors[0]!.message).not.toMatch(/did you mean/i);
    }
    const variable = await graphqlClient(t.url, key)(
      'query($w: UserWhereInput!) { users(where: $w) { id } }',
      {
        w: { usernam: { equals: 'a' } },
      },
    );
    expect(variable.errors[0]!.message).toMatch(/usernam/);
    expect(variable.errors[0]!.message).not.toMatch(/did you mean|"username"/i);
  });

  it("refuses Keystone's adminMeta, which lists every list and field", async () => {
    const query = '{ keystone { adminMeta { lists { key fields { key } } } } }';
    for (const caller of [graphqlClient(t.url), graphqlClient(t.url, key)]) {
      const answer = await caller(query);
      expect(answer.status).toBe(400);
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual(['graphql.invalid_query']);
      expect(answer.errors[0]!.message).toMatch(/describes the schema/);
    }
  });

  it('over graphql-ws too: no introspection, no adminMeta, no suggestions', async () => {
    const client = wsClient(t.url, key);
    clients.push(client);
    const schema = await overWs(client, '{ __schema { types { name } } }');
    expect(schema.map((e) => e.extensions?.code)).toEqual(['graphql.invalid_query']);
    const meta = await overWs(client, '{ keystone { adminMeta { lists { key } } } }');
    expect(meta.map((e) => e.extensions?.code)).toEqual(['graphql.invalid_query']);
    const misspelt = await overWs(client, '{ usrs { id } }');
    expect(misspelt[0].message).not.toMatch(/did you mean/i);
  });
});

describe('GraphQL answers bad input as a validation error, never internal_error', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let key: string;
  const as = () => graphqlClient(t.url, key);

  beforeAll(async () => {
    const userId = await createUser(t.db, { roleIds: ['role_super_admin'], twoFactor: true });
    key = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
  });

  const byUsername = 'query($u: String!) { users(where: { username: { equals: $u } }) { id } }';

  it('refuses NUL and lone surrogates in literals and variables before anything runs', async () => {
    const literal = await as()('{ users(where: { username: { equals: "a\\u0000b" } }) { id } }');
    expect(literal.status).toBe(400);
    expect(literal.errors[0]!.extensions).toEqual({
      code: 'request.validation_failed',
      details: {
        fields: [
          {
            in: 'query',
            field: 'users.where.username.equals',
            message: 'Text may not contain the NUL character (U+0000).',
          },
        ],
      },
    });
    for (const u of ['a\u0000b', 'a\ud800b', 'b\udc00']) {
      const variable = await as()(byUsername, { u });
      expect(variable.status).toBe(400);
      expect(codes(variable)).toEqual(['request.validation_failed']);
      expect(variable.errors[0]!.extensions!.details).toEqual({
        fields: [{ in: 'variables', field: 'u', message: expect.stringMatching(/NUL|lone surrogate/) }],
      });
    }
  });

  it('refuses a negative skip, written or in a variable', async () => {
    const literal = await as()('{ users(skip: -5) { id } }');
    expect(literal.status).toBe(400);
    expect(literal.errors[0]!.extensions).toMatchObject({
      code: 'request.validation_failed',
      details: { fields: [{ in: 'query', field: 'users.skip' }] },
    });
    const variable = await as()('query($s: Int!) { users(skip: $s) { id } }', { s: -1 });
    expect(variable.status).toBe(400);
    expect(variable.errors[0]!.extensions).toMatchObject({
      code: 'request.validation_failed',
      details: { fields: [{ in: 'variables', field: 's' }] },
    });
    expect((await as()('{ users(skip: 0, take: 1) { id } }')).errors).toEqual([]);
  });

  it('answers values the database cannot hold (a non-UUID id, year 0) as request.validation_failed', async () => {
    for (const [query, variables] of [
      ['{ user(where: { id: "abc" }) { id } }', undefined],
      ['{ users(where: { id: { equals: "abc" } }) { id } }', undefined],
      ['{ users(where: { createdAt: { gt: "0000-01-01T00:00:00Z" } }) { id } }', undefined],
      [
        'query($d: DateTime) { users(where: { createdAt: { gt: $d } }) { id } }',
        { d: '0000-01-01T00:00:00Z' },
      ],
    ] as const) {
      const answer = await as()(query, variables);
      expect(codes(answer)).toEqual(['request.validation_failed']);
      expect(answer.errors[0]!.message).toMatch(/does not fit/);
      noStackOrInternals(answer);
    }
  });

  it("answers a non-UUID id in Heimdall's own mutations as request.validation_failed", async () => {
    for (const query of [
      'mutation { deleteApiKey(id: "not-a-uuid") }',
      'mutation { deleteOAuthClient(id: "1e999") }',
      'mutation { unbanUser(id: "<b>") { id } }',
      'mutation { removeRole(roleId: "role_user", userId: "x") { id } }',
    ]) {
      const answer = await as()(query);
      expect({ query, codes: codes(answer) }).toEqual({ query, codes: ['request.validation_failed'] });
      noStackOrInternals(answer);
    }
  });

  it('refuses a document nested too deep to parse safely, before parsing it', async () => {
    const deep = `{ users(where: { username: { in: ${'['.repeat(5_000)}${']'.repeat(5_000)} } }) { id } }`;
    const answer = await as()(deep);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['graphql.too_deep']);
    expect(answer.errors[0]!.message).not.toMatch(/stack/i);
    const overWs = await rawWsOperation(t.url, key, '{}', deep);
    expect(overWs.type).toBe('error');
    expect(overWs.payload.map((e: any) => e.extensions?.code)).toEqual(['graphql.too_deep']);
    const fine = await as()(`{ users(where: { OR: [{ AND: [{ username: { in: [["x"]] } }] }] }) { id } }`);
    expect(codes(fine)).not.toContain('graphql.too_deep');
  });

  it('refuses a unique where without exactly one key instead of acting on the first row', async () => {
    const before = await t.db('Platform').orderBy('id').pluck('id');
    for (const query of [
      'mutation { deletePlatform(where: {}) { id } }',
      'mutation { deletePlatforms(where: [{}]) { id } }',
      'mutation { updatePlatform(where: {}, data: { name: "x" }) { id } }',
      'query { users(cursor: {}) { id } }',
    ]) {
      const answer = await as()(query);
      expect({ query, codes: codes(answer) }).toEqual({ query, codes: ['request.validation_failed'] });
      expect(answer.errors[0]!.extensions).toMatchObject({ details: { fields: [{ in: 'arguments' }] } });
    }
    expect(await t.db('Platform').orderBy('id').pluck('id')).toEqual(before);
  });

  it('refuses mode inside the not of a nullable text filter, which Keystone cannot resolve', async () => {
    const answer = await as()('{ rolesCount(where: { description: { not: { mode: default } } }) }');
    expect(codes(answer)).toEqual(['request.validation_failed']);
    expect(answer.errors[0]!.extensions).toMatchObject({
      details: { fields: [{ field: 'rolesCount.where.description.not.mode' }] },
    });
    const beside = await as()(
      '{ rolesCount(where: { description: { mode: insensitive, not: { equals: "x" } } }) }',
    );
    expect(beside.errors).toEqual([]);
  });

  it('answers an unknown persisted-query hash with PERSISTED_QUERY_NOT_FOUND (the APQ protocol code)', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } };
    const post = await fetch(`${t.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extensions }),
    });
    const get = await fetch(
      `${t.url}/api/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    for (const res of [post, get]) {
      const body = (await res.json()) as any;
      expect(body.errors).toEqual([
        {
          message: 'No query is stored under this hash: send the query with it.',
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
        },
      ]);
    }
  });

  const setValue = 'mutation($v: JSON!) { createSetting(id: "deep", value: $v) { id } }';

  it('bounds the depth of variables over graphql-ws, and refuses NUL there too', async () => {
    for (const v of [nestedJson(10_000), nestedJson(33), '{"text":"a\\u0000"}']) {
      const answer = await rawWsOperation(t.url, key, `{"v":${v}}`, setValue);
      expect(answer.type).toBe('error');
      expect(answer.payload.map((e: any) => e.extensions?.code)).toEqual(['request.validation_failed']);
      expect(answer.payload[0].extensions.details.fields[0]).toMatchObject({ in: 'variables' });
    }
    expect(await t.db('Setting').where({ key: 'deep' })).toEqual([]);
  });

  // Once the JSON body parser in front of /api/graphql bounds depth, it refuses this body before GraphQL reads
  // it; either way the answer is a 400 with a stable code, never a 500.
  it('answers variables nested 10,000 deep over HTTP with a 400', async () => {
    const res = await fetch(`${t.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: `{"query":${JSON.stringify(setValue)},"variables":{"v":${nestedJson(10_000)}}}`,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    const code = body.error?.code ?? body.errors?.[0]?.extensions?.code;
    expect(code).toMatch(/^request\./);
    expect(await t.db('Setting').where({ key: 'deep' })).toEqual([]);
  });
});
