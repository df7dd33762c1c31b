import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { HOSTILE_STRINGS, nested } from './json-schema.js';

/**
 * GraphQL requests generated from the schema: a root query or mutation field (sometimes several under
 * aliases), its arguments as literals or variables with valid and hostile values (NUL, lone surrogates,
 * out-of-range numbers, year-0 dates, non-UUID ids, deep JSON), a selection of its scalar fields; and a share
 * of documents broken on purpose (cut short, unknown fields, garbage, deep selections, unknown persisted
 * queries).
 */
export interface GraphqlRequest {
  operation: 'query' | 'mutation';
  /** The root fields the document asks for (empty for broken documents). */
  fields: string[];
  body: Record<string, unknown>;
  /** The request body as sent, when it is not `body` as JSON (nesting too deep to stringify). */
  raw?: string;
}

const INTS = [0, 1, -5, 100, 2 ** 31, -(2 ** 31) - 1, 1.5];
const DATES = ['2026-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', 'yesterday'];

function scalarValue(name: string, ids: readonly string[]): fc.Arbitrary<unknown> {
  const hostile = fc.constantFrom<unknown>(...HOSTILE_STRINGS.filter((s) => s.length < 200));
  switch (name) {
    case 'ID':
      return fc.oneof(fc.constantFrom(...ids, 'not-a-uuid'), fc.uuid(), hostile);
    case 'Int':
    case 'BigInt':
      return fc.oneof(fc.constantFrom<unknown>(...INTS), fc.integer(), hostile);
    case 'Float':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), hostile);
    case 'Boolean':
      return fc.oneof(fc.boolean(), hostile);
    case 'DateTime':
      return fc.oneof(fc.constantFrom<unknown>(...DATES), hostile);
    case 'JSON':
      return fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(nested(40)), hostile);
    default:
      return fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...ids),
        fc.constantFrom('role_user', 'users:read', 'en', 'https://app.example/cb'),
        hostile,
      );
  }
}

function inputValue(type: GraphQLInputType, ids: readonly string[], depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inputValue(type.ofType, ids, depth);
  if (isListType(type))
    return fc.array(inputValue(type.ofType, ids, depth + 1), { maxLength: depth > 2 ? 0 : 3 });
  if (isEnumType(type))
    return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), fc.constant('NOT_A_VALUE'));
  if (isScalarType(type)) return scalarValue(type.name, ids);
  if (isInputObjectType(type)) {
    if (depth > 2) return fc.constant({});
    const fields = Object.values(type.getFields());
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of fields) record[field.name] = inputValue(field.type, ids, depth + 1);
    const requiredKeys = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    const any = fc.record(record, { requiredKeys });
    // A unique where names one record by one key: mostly so, to reach the resolvers, else anything.
    if (!type.name.endsWith('WhereUniqueInput')) return any;
    const one = fc.oneof(...fields.map((f) => record[f.name]!.map((value) => ({ [f.name]: value }))));
    return fc.oneof({ weight: 4, arbitrary: one }, { weight: 1, arbitrary: any });
  }
  return fc.constant(null);
}

/** A GraphQL literal for any JSON-like value (strings as JSON strings, which GraphQL reads the same way). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([key]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(key))
    .map(([key, v]) => `${key}: ${literal(v)}`)
    .join(', ')}}`;
}

/** Enum values are bare names in a literal. */
function argumentLiteral(type: GraphQLInputType, value: unknown): string {
  const named = getNamedType(type);
  if (isEnumType(named) && typeof value === 'string') return value;
  if (isEnumType(named) && Array.isArray(value)) return `[${value.join(', ')}]`;
  return literal(value);
}

function selection(type: GraphQLObjectType): string {
  const leaves = Object.values(type.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((a) => !isNonNullType(a.type)))
    .slice(0, 6)
    .map((f) => f.name);
  return `{ __typename ${leaves.join(' ')} }`;
}

function rootFieldDocument(
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  ids: readonly string[],
): fc.Arbitrary<GraphqlRequest> {
  const args = field.args.map((arg) =>
    fc.record({
      present: isNonNullType(arg.type) ? fc.constant(true) : fc.boolean(),
      asVariable: fc.boolean(),
      value: inputValue(arg.type, ids, 0),
    }),
  );
  return fc
    .tuple(fc.tuple(...args), fc.integer({ min: 1, max: operation === 'mutation' ? 3 : 1 }))
    .map(([values, copies]) => {
      const variables: Record<string, unknown> = {};
      const declarations: string[] = [];
      const written: string[] = [];
      field.args.forEach((arg, i) => {
        const { present, asVariable, value } = values[i]!;
        if (!present) return;
        if (asVariable) {
          declarations.push(`$${arg.name}: ${arg.type.toString()}`);
          variables[arg.name] = value;
          written.push(`${arg.name}: $${arg.name}`);
        } else written.push(`${arg.name}: ${argumentLiteral(arg.type, value)}`);
      });
      const returned = getNamedType(field.type);
      const select = isObjectType(returned) ? ` ${selection(returned)}` : '';
      const call = `${field.name}${written.length ? `(${written.join(', ')})` : ''}${select}`;
      const body = Array.from({ length: copies }, (_, i) => `a${i}: ${call}`).join(' ');
      const head = declarations.length ? `${operation} Fuzz(${declarations.join(', ')})` : operation;
      return {
        operation,
        fields: Array.from({ length: copies }, (_, i) => `a${i}`),
        body: { query: `${head} { ${body} }`, variables },
      };
    });
}

/** Documents broken on purpose: each must be refused with a 4xx-style error, never an internal one. */
function brokenDocument(valid: fc.Arbitrary<GraphqlRequest>): fc.Arbitrary<GraphqlRequest> {
  const broken = (body: Record<string, unknown>): GraphqlRequest => ({
    operation: 'query',
    fields: [],
    body,
  });
  return fc.oneof(
    fc.tuple(valid, fc.double({ min: 0, max: 1, noNaN: true })).map(([request, at]) => {
      const query = String(request.body.query);
      return broken({ ...request.body, query: query.slice(0, Math.floor(query.length * at)) });
    }),
    fc.constantFrom(
      broken({ query: '{ nope }' }),
      broken({ query: '{ me { id } ' }),
      broken({ query: '{ me { __typename } }', variables: 'x' }),
      broken({ query: '{ a: me { __typename } a: usersCount }' }),
      broken({ query: `{ users { ${'roles { user { '.repeat(30)}id${' } }'.repeat(30)} } }` }),
      broken({ query: 'query($a: String) { me { id } }', variables: { a: 'x\u0000y' } }),
      {
        ...broken({ query: '{ me { id } }' }),
        raw: `{"query":"{ me { id } }","variables":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
      },
      broken({ query: '{ users(take: 5, skip: -5) { id } }' }),
      broken({
        query: `{ users(where: { username: { in: ${'['.repeat(5_000)}${']'.repeat(5_000)} } }) { id } }`,
      }),
      broken({ query: '{ user(where: { id: "not-a-uuid" }) { id } }' }),
      broken({ query: '{ user(where: { id: "a\\u0000b" }) { id } }' }),
      broken({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
      broken({ query: 42 }),
      broken({ query: '' }),
      broken({}),
      broken({ query: '{ __schema { types { name } } }' }),
      broken({ query: 'subscription { auditEvent { id } }' }),
      broken({ query: 'mutation { a: deleteRole(id: "x") b: deleteRole(id: "y") }', operationName: 'Nope' }),
    ),
    fc.string({ maxLength: 80 }).map((query) => broken({ query })),
  );
}

/**
 * `count` requests: per root field of Query and Mutation an equal share drawn from its own arbitrary (seeded
 * from `seed`), and one in six broken on purpose; interleaved so that changes meet every other field.
 */
export function generateGraphqlRequests(
  schema: GraphQLSchema,
  ids: readonly string[],
  count: number,
  seed: number,
): GraphqlRequest[] {
  const roots: fc.Arbitrary<GraphqlRequest>[] = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {}))
      roots.push(rootFieldDocument(operation, field, ids));
  }
  const broken = roots.map(brokenDocument);
  const arbitraries = [...roots, ...broken.filter((_, i) => i % 5 === 0)];
  const per = Math.ceil(count / arbitraries.length);
  const batches = arbitraries.map((arbitrary, i) => fc.sample(arbitrary, { seed: seed + i, numRuns: per }));
  return Array.from({ length: per }, (_, round) => batches.map((batch) => batch[round]!))
    .flat()
    .slice(0, count);
}
