import {
  fieldType,
  type BaseListTypeInfo,
  type CommonFieldConfig,
  type FieldTypeFunc,
  type SimpleFieldTypeInfo,
} from '@keystone-6/core/types';
import { g } from '@keystone-6/core';
import { checkbox, integer, text, timestamp } from '@keystone-6/core/fields';

/**
 * Field helpers that describe the columns the knex migrations created, exactly: Keystone never creates or
 * alters a table, and the drift test compares the Prisma schema these produce with the migrated database.
 */

/** TIMESTAMPTZ (Keystone's default would be timestamp(3) without time zone). */
export const timestamptz = (
  column: string,
  options: {
    nullable?: boolean;
    now?: boolean;
    readOnly?: boolean;
    access?: NonNullable<Parameters<typeof timestamp>[0]>['access'];
  } = {},
) =>
  timestamp({
    ...(options.access ? { access: options.access } : {}),
    db: {
      map: column,
      isNullable: options.nullable ?? false,
      extendPrismaSchema: (f) => `${f} @postgresql.Timestamptz(6)`,
    },
    ...(options.now ? { defaultValue: { kind: 'now' as const } } : {}),
    validation: { isRequired: !(options.nullable ?? false) && !options.now },
    ...(options.readOnly ? { graphql: { omit: { create: true, update: true } } } : {}),
  });

export const createdAt = () => timestamptz('created_at', { now: true, readOnly: true });
/** Maintained by a database trigger (migrations): read-only in the API. */
export const updatedAt = () => timestamptz('updated_at', { now: true, readOnly: true });

export const requiredText = (column: string, extra: Parameters<typeof text>[0] = {}) =>
  text({ ...extra, db: { map: column, ...extra.db }, validation: { isRequired: true, ...extra.validation } });

export const optionalText = (column: string, extra: Parameters<typeof text>[0] = {}) =>
  text({ ...extra, db: { map: column, isNullable: true, ...extra.db } });

/**
 * A secret column (a hash, an encrypted seed): in the Prisma model so the model matches the table, absent from
 * the GraphQL API altogether — no query, filter, order or input can reach it.
 */
export const secret = (column: string, options: { nullable?: boolean; unique?: boolean } = {}) =>
  text({
    db: { map: column, isNullable: options.nullable ?? false },
    graphql: { omit: true },
    validation: { isRequired: !options.nullable },
    ...(options.unique ? { isIndexed: 'unique' as const } : {}),
  });

export const flag = (column: string, defaultValue: boolean) =>
  checkbox({ db: { map: column }, defaultValue });

export const order = (column: string) =>
  integer({ db: { map: column }, defaultValue: 0, validation: { isRequired: true } });

/** A PostgreSQL text[] column, as a list of strings in GraphQL (null on input means empty). */
export function textArray<ListTypeInfo extends BaseListTypeInfo>(
  column: string,
  options: {
    dbDefault?: string;
    graphql?: CommonFieldConfig<ListTypeInfo, SimpleFieldTypeInfo<'String'>>['graphql'];
  } = {},
): FieldTypeFunc<ListTypeInfo> {
  const toArray = (value: readonly string[] | null | undefined) => (value === null ? [] : value);
  return () =>
    fieldType({
      kind: 'scalar',
      mode: 'many',
      scalar: 'String',
      map: column,
      ...(options.dbDefault
        ? { extendPrismaSchema: (f: string) => `${f} @default(${options.dbDefault})` }
        : {}),
    })({
      ...(options.graphql ? { graphql: options.graphql } : {}),
      input: {
        create: { arg: g.arg({ type: g.list(g.nonNull(g.String)) }), resolve: toArray },
        update: { arg: g.arg({ type: g.list(g.nonNull(g.String)) }), resolve: toArray },
      },
      output: g.field({
        type: g.nonNull(g.list(g.nonNull(g.String))),
        resolve: ({ value }) => value as string[],
      }),
      views: '@keystone-6/core/fields/types/text/views',
      getAdminMeta: () => ({}),
    });
}
