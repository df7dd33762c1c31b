import { z } from 'zod';
import type { Builder, BuilderTypes } from './builder.js';
import { camelCase } from '../../schemas/common.js';

type Def = {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  format?: string;
  shape?: Record<string, z.ZodType>;
};
// zod classic's public definition (`schema.def`), read as the few fields this mapping looks at.
const defOf = (schema: z.ZodType) => schema.def as unknown as Def;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Pothos refs of types made at runtime
type AnyRef = any;

interface Made {
  builder: Builder;
  /** GraphQL names of the nested objects, by key path (`steps`, `steps.roles`). */
  names: Readonly<Record<string, string>>;
}

/** The GraphQL output type of a schema field, wrappers looked through; nullable where the schema is. */
function outputType(
  schema: z.ZodType,
  path: string,
  made: Made,
): { type: AnyRef; nullable: boolean; maxItems?: number } {
  const def = defOf(schema);
  switch (def.type) {
    case 'nullable':
    case 'optional':
      return { type: outputType(def.innerType!, path, made).type, nullable: true };
    case 'default':
    case 'readonly':
      return outputType(def.innerType!, path, made);
    case 'string':
      return { type: def.format === 'uuid' ? 'ID' : 'String', nullable: false };
    case 'enum':
      return { type: 'String', nullable: false };
    case 'boolean':
      return { type: 'Boolean', nullable: false };
    case 'number':
      return { type: (schema as z.ZodNumber).format?.includes('int') ? 'Int' : 'Float', nullable: false };
    case 'array': {
      const element = outputType(def.element!, path, made);
      if (element.nullable || Array.isArray(element.type)) break;
      // A bound the schema states (`.max(n)`) caps the list's cost in the query limits (limits.ts).
      const { maxItems } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as { maxItems?: number };
      return { type: [element.type], nullable: false, ...(maxItems === undefined ? {} : { maxItems }) };
    }
    case 'object': {
      const name = made.names[path];
      if (name) return { type: objectType(name, schema as z.ZodObject, path, made), nullable: false };
      throw new Error(`The object at ${path} needs a GraphQL name`);
    }
  }
  throw new Error(`The output key ${path} (zod ${def.type}) has no GraphQL type here`);
}

function objectType(name: string, schema: z.ZodObject, path: string, made: Made): AnyRef {
  return made.builder.objectRef<Record<string, unknown>>(name).implement({
    ...(schema.description ? { description: schema.description } : {}),
    fields: (t) =>
      Object.fromEntries(
        Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
          const { type, nullable, maxItems } = outputType(field, path ? `${path}.${key}` : key, made);
          const description = field.description;
          return [
            camelCase(key),
            t.field({
              type,
              nullable,
              ...(description ? { description } : {}),
              ...(maxItems === undefined ? {} : { extensions: { maxItems } }),
              resolve: (parent: Record<string, unknown>) => parent[key],
            } as never),
          ];
        }),
      ) as never,
  });
}

/**
 * A GraphQL object type for a REST response schema in `schemas/`: the schema's keys in camelCase, typed from the
 * schema (enums as String), nullable where it is, with its descriptions; nested objects become types of their
 * own, named in `names` by key path. It resolves from the REST answer itself, so GraphQL answers what REST does
 * and a field added to the schema reaches both.
 */
export const schemaObjectType = <S extends z.ZodObject>(
  builder: Builder,
  name: string,
  schema: S,
  names: Readonly<Record<string, string>> = {},
) =>
  objectType(name, schema, '', { builder, names }) as PothosSchemaTypes.ObjectRef<
    PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>,
    z.output<S>
  >;
