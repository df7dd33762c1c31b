import type { z } from 'zod';
import type { Builder } from './builder.js';
import { camelCase } from '../../schemas/common.js';
import { type Camel, type GraphQLArgsOf, type InputSchema } from './schema-args.js';

type Scalar = 'String' | 'Boolean' | 'Int' | 'ID' | 'JSON';

/** What one GraphQL input field or argument is made of. */
export interface InputFieldOptions {
  type: Scalar | [Scalar];
  required: boolean;
  description?: string;
}

export interface SchemaFieldOptions<S extends InputSchema> {
  /** Keys of the schema GraphQL does not offer. */
  omit?: readonly (keyof S['shape'] & string)[];
  /** GraphQL descriptions, by schema key (the schema's own descriptions document REST). */
  descriptions?: Partial<Record<keyof S['shape'] & string, string>>;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; format?: string };
// zod classic's public definition (`schema.def`), read as the few fields this mapping looks at.
const defOf = (schema: z.ZodType) => schema.def as unknown as Def;

/** The GraphQL type of a schema field's input side, wrappers (optional, nullable, default, pipes) looked through. */
function graphqlType(schema: z.ZodType, key: string): Scalar | [Scalar] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return graphqlType(def.innerType!, key);
    case 'pipe':
      return graphqlType(def.in!, key);
    case 'string':
      // A uuid names a row, as the ids of Keystone's own inputs do.
      return def.format === 'uuid' ? 'ID' : 'String';
    case 'enum':
      return 'String';
    case 'boolean':
      return 'Boolean';
    case 'number':
      if ((schema as z.ZodNumber).format?.includes('int')) return 'Int';
      break;
    case 'lazy':
      // z.json() is a lazy union of every JSON value.
      return 'JSON';
    case 'array': {
      const element = graphqlType(def.element!, key);
      if (!Array.isArray(element)) return [element];
      break;
    }
  }
  throw new Error(`The input key ${key} (zod ${def.type}) has no GraphQL input type here`);
}

/**
 * GraphQL input fields (of an input type, or a field's arguments) for a REST schema's keys, in its order:
 * named in camelCase, typed from the schema, required where the schema needs a value. A key added to the
 * schema reaches GraphQL with it; `field` makes one field (`t.field` or `t.arg`).
 */
export function schemaFields<S extends InputSchema, Ref>(
  schema: S,
  field: (options: InputFieldOptions) => Ref,
  options: SchemaFieldOptions<S> = {},
): { [K in keyof S['shape'] & string as Camel<K>]: Ref } {
  const omit = new Set<string>(options.omit ?? []);
  const descriptions: Partial<Record<string, string>> = options.descriptions ?? {};
  const fields: Record<string, Ref> = {};
  for (const [key, schemaField] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    if (omit.has(key)) continue;
    const description = descriptions[key];
    fields[camelCase(key)] = field({
      type: graphqlType(schemaField, key),
      required: !schemaField.safeParse(undefined).success,
      ...(description === undefined ? {} : { description }),
    });
  }
  return fields as { [K in keyof S['shape'] & string as Camel<K>]: Ref };
}

/** A GraphQL input type with a REST schema's keys; its values reach the resolver as GraphQLArgsOf<S>. */
export const schemaInputType = <S extends InputSchema>(
  builder: Builder,
  name: string,
  schema: S,
  options: SchemaFieldOptions<S> = {},
) =>
  builder.inputRef<GraphQLArgsOf<S>>(name).implement({
    fields: (t) => schemaFields(schema, (o) => t.field(o as never), options) as never,
  });
