import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Input that Keystone (checked against @keystone-6/core 8.1; test/graphql/bad-input.test.ts fails when an
 * upgrade changes it) accepts by its schema and then mishandles, refused as bad input before a field resolves:
 * - a `…WhereUniqueInput` that does not hold exactly one key: Keystone reads it as a filter with `findFirst`,
 *   so `deletePlatform(where: {})` deleted whichever row came first;
 * - `mode` inside the `not` of a nullable text filter: Keystone's filter resolution throws on it.
 * Every field whose arguments can hold one of these, at any depth (`where`, `cursor`, relationship
 * `connect`), is checked.
 */
const UNIQUE_WHERE = /WhereUniqueInput$/;
const NULLABLE_TEXT_FILTER = 'StringNullableFilter';

interface Refusal {
  field: string;
  message: string;
}

/** What `value` (of `type`, reached through `parent`'s field `via`) holds that Keystone mishandles. */
function refusals(
  type: GraphQLInputType,
  value: unknown,
  path: string,
  via?: { parent: string; field: string },
): Refusal[] {
  if (value === null || value === undefined) return [];
  if (isNonNullType(type)) return refusals(type.ofType, value, path, via);
  if (isListType(type)) {
    return Array.isArray(value)
      ? value.flatMap((item, i) => refusals(type.ofType, item, `${path}.${i}`, via))
      : refusals(type.ofType, value, path, via);
  }
  if (!isInputObjectType(type) || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (UNIQUE_WHERE.test(type.name)) {
    const keys = Object.keys(record).filter((k) => record[k] !== null && record[k] !== undefined);
    return keys.length === 1 ? [] : [{ field: path, message: 'Give exactly one key, e.g. { id: "…" }.' }];
  }
  const modeInsideNot =
    type.name === NULLABLE_TEXT_FILTER &&
    via?.parent === NULLABLE_TEXT_FILTER &&
    via.field === 'not' &&
    record.mode != null;
  const found: Refusal[] = modeInsideNot
    ? [{ field: `${path}.mode`, message: 'Set mode beside not, for the whole filter, not inside it.' }]
    : [];
  const fields = type.getFields();
  return found.concat(
    Object.entries(record).flatMap(([key, child]) =>
      fields[key]
        ? refusals(fields[key].type, child, `${path}.${key}`, { parent: type.name, field: key })
        : [],
    ),
  );
}

/** Whether an argument's type can hold what the rules check (walked once, at schema build). */
function mayHoldChecked(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type) || isListType(type)) return mayHoldChecked(type.ofType, seen);
  if (!isInputObjectType(type) || seen.has(type.name)) return false;
  if (UNIQUE_WHERE.test(type.name) || type.name === NULLABLE_TEXT_FILTER) return true;
  seen.add(type.name);
  return Object.values(type.getFields()).some((f) => mayHoldChecked(f.type, seen));
}

export function refuseMishandledInput(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => {
      const guarded = (field.args ? Object.entries(field.args) : []).filter(([, arg]) =>
        mayHoldChecked(arg.type as GraphQLArgument['type']),
      );
      if (guarded.length === 0) return field;
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve(source, args: Record<string, unknown>, context, info) {
          const found = guarded.flatMap(([name, arg]) =>
            refusals(arg.type as GraphQLInputType, args[name], `${fieldName}.${name}`),
          );
          if (found.length > 0) {
            throw new GraphQLError(`The request arguments are not valid: ${found[0]!.message}`, {
              extensions: {
                code: 'request.validation_failed',
                http: { status: 400 },
                details: { fields: found.map((f) => ({ in: 'arguments', ...f })) },
              },
            });
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
