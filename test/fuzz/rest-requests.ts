/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is walked as plain JSON */
import fc from 'fast-check';
import { HOSTILE_STRINGS, SchemaArbitraries, type Schema } from './json-schema.js';

/**
 * Requests generated from `/v1/openapi.json`: for every operation, path parameters (ids that exist, random
 * UUIDs, hostile and badly percent-encoded segments), query parameters (valid, hostile, unknown) and bodies
 * (valid, one mutation away, not JSON, nested far too deep, the wrong content type), sent by callers of
 * every kind.
 */
export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/v1/users/{id}`. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body?: Schema;
  /** Status codes the document names for this operation. */
  statuses: Set<number>;
}

export function operationsOf(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      const parameters = (op.parameters ?? []) as { in: string; name: string; schema: Schema }[];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
        statuses: new Set(Object.keys(op.responses ?? {}).map(Number)),
      });
    }
  }
  return operations;
}

export const CALLER_KINDS = ['system', 'super', 'anon', 'random-key', 'read-key'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

export interface GeneratedRequest {
  operation: Operation;
  caller: CallerKind;
  /** The path as sent (parameters already encoded, or deliberately not). */
  path: string;
  body?: { contentType: string; text: string };
  /** The JSON value sent, when the body is JSON. */
  json?: unknown;
}

/** Existing ids for a path parameter, by the path it is in (`/v1/users/{id}` → user ids). */
export type IdPool = (operation: Operation, param: string) => readonly string[];

/** Path segments sent as they are: bad percent-encoding, NUL, traversal, overlong. */
const RAW_SEGMENTS = [
  '%ZZ',
  '%C0%AE',
  '%',
  'a%00b',
  '%00',
  '..',
  '%2e%2e',
  'a'.repeat(2000),
  '%ED%A0%80',
  ' ',
];

/**
 * `count` requests spread evenly over the operations, each operation's drawn from its own arbitrary with a
 * seed derived from `seed`, so that every operation gets its share and a run is reproducible.
 */
export function generateRequests(doc: Schema, ids: IdPool, count: number, seed: number): GeneratedRequest[] {
  const operations = operationsOf(doc);
  const per = Math.ceil(count / operations.length);
  const batches = operations.map((operation, i) =>
    fc.sample(requestArbitrary(operation, new SchemaArbitraries(doc), ids), { seed: seed + i, numRuns: per }),
  );
  // Interleaved, so that what one operation changes (a deleted role, a banned user) meets every other one.
  return Array.from({ length: per }, (_, round) => batches.map((batch) => batch[round]!))
    .flat()
    .slice(0, count);
}

function requestArbitrary(
  operation: Operation,
  schemas: SchemaArbitraries,
  ids: IdPool,
): fc.Arbitrary<GeneratedRequest> {
  const caller = fc.constantFrom<CallerKind>(
    ...(['system', 'system', 'system', 'system', 'system', 'system', 'super', 'super'] as const),
    ...CALLER_KINDS,
  );
  return fc
    .record({
      caller,
      segments: fc.tuple(...operation.pathParams.map((p) => segment(ids(operation, p)))),
      query: queryArbitrary(operation, schemas),
      body: bodyArbitrary(operation, schemas),
    })
    .map(({ caller: kind, segments, query, body }): GeneratedRequest => {
      let path = operation.path;
      operation.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, segments[i]!)));
      if (query) path += `?${query}`;
      return { operation, caller: kind, path, ...body };
    });
}

function segment(existing: readonly string[]): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [
    fc.uuid(),
    fc.constantFrom(...RAW_SEGMENTS),
    fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 100)).map(encodeURIComponentLoose),
  ];
  if (existing.length > 0) options.unshift(fc.constantFrom(...existing).map(encodeURIComponent));
  return fc.oneof(...options);
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) is sent as its raw UTF-16 escape. */
function encodeURIComponentLoose(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function queryArbitrary(operation: Operation, schemas: SchemaArbitraries): fc.Arbitrary<string> {
  const value = (schema: Schema) =>
    fc.oneof(
      { weight: 3, arbitrary: schemas.valid(schema).map((v) => String(v)) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    );
  const params = operation.query.map((p) =>
    fc.option(
      value(p.schema).map((v) => [p.name, v] as const),
      { nil: undefined },
    ),
  );
  const unknown = fc.option(
    fc.constantFrom(['unknown', '1'] as const, ['page', '-1'] as const, ['q', 'a\u0000b'] as const),
    {
      nil: undefined,
      freq: 8,
    },
  );
  return fc.tuple(fc.tuple(...params), unknown).map(([pairs, extra]) => {
    const search = new URLSearchParams();
    for (const pair of [...pairs, extra]) if (pair) search.append(pair[0], encodeSafe(pair[1]));
    // Node refuses a request line over its 16 KiB header limit (431) before the app sees it: stay under it.
    return search.toString().slice(0, MAX_QUERY);
  });
}

const MAX_QUERY = 12_000;

/** URLSearchParams cannot carry a lone surrogate: replace it by what a browser would send (U+FFFD). */
const encodeSafe = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

function bodyArbitrary(
  operation: Operation,
  schemas: SchemaArbitraries,
): fc.Arbitrary<{ body?: GeneratedRequest['body']; json?: unknown }> {
  const json = (value: unknown) => ({
    body: { contentType: 'application/json', text: JSON.stringify(value) },
    json: value,
  });
  const odd = fc.constantFrom(
    { body: { contentType: 'application/json', text: '{"name":' } },
    { body: { contentType: 'application/json', text: '['.repeat(10_000) + ']'.repeat(10_000) } },
    {
      body: {
        contentType: 'application/json',
        text: `{"metadata":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
      },
    },
    { body: { contentType: 'text/plain', text: 'name=x' } },
    { body: { contentType: 'application/json', text: '' } },
  );
  if (operation.method === 'GET') return fc.constant({});
  if (!operation.body)
    return fc.oneof({ weight: 8, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: odd });
  return fc.oneof(
    { weight: 3, arbitrary: schemas.valid(operation.body).map(json) },
    { weight: 6, arbitrary: schemas.mutated(operation.body).map(json) },
    { weight: 1, arbitrary: odd },
  );
}
