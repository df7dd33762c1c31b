import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * How many items a relationship list can really hold under one parent, for the cost limit: the most rows any
 * one parent has in that relation (the most roles a user holds, the most permissions a role has), read from
 * the database and refreshed in the background when older than `maxAgeMs`. Counting every nested list at the
 * page size would make `users { roles { role { permissions } } }` "cost" millions of fields while it returns
 * a few thousand. Until the first count (or for a relation never counted) the page size applies.
 */
export interface ListBounds {
  /** Items `type.field` can hold under one parent, when known. */
  bound(type: string, field: string): number | undefined;
  /** Counts again when the counts are stale; resolves once the first count has been made. */
  refresh(): Promise<void>;
}

interface Relation {
  parent: string;
  field: string;
  /** The Prisma model of the items and its foreign key to the parent (Keystone names it `<field>Id`). */
  model: string;
  foreignKey: string;
}

/**
 * Keystone's relationship lists in the schema: a list field of a list type whose items point back at the
 * parent through exactly one to-one field.
 */
function relationsIn(schema: GraphQLSchema, isModel: (name: string) => boolean): Relation[] {
  const relations: Relation[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || !isModel(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const item = getNamedType(field.type);
      if (!isListType(getNullableType(field.type)) || !isObjectType(item) || !isModel(item.name)) continue;
      const back = Object.values((item as GraphQLObjectType).getFields()).filter(
        (f) => getNullableType(f.type) === type,
      );
      if (back.length !== 1) continue;
      relations.push({
        parent: type.name,
        field: field.name,
        model: item.name,
        foreignKey: `${back[0]!.name}Id`,
      });
    }
  }
  return relations;
}

type GroupBy = (args: Record<string, unknown>) => Promise<{ _count: Record<string, number> }[]>;

export function createListBounds(options: {
  schema: GraphQLSchema;
  /** Prisma's model delegates (Keystone's `context.prisma`), trusted: counts are not filtered by a caller. */
  prisma: Record<string, unknown>;
  maxAgeMs: number;
  onError(err: unknown): void;
}): ListBounds {
  // Prisma's delegates are named in camelCase (`userRole`); the GraphQL types as the lists (`UserRole`).
  const delegate = (model: string) =>
    (options.prisma[model[0]!.toLowerCase() + model.slice(1)] ?? options.prisma[model]) as
      { groupBy?: GroupBy } | undefined;
  const relations = relationsIn(options.schema, (name) => typeof delegate(name)?.groupBy === 'function');
  let bounds = new Map<string, number>();
  let countedAt = 0;
  let counting: Promise<void> | undefined;

  async function count(): Promise<void> {
    const next = new Map<string, number>();
    for (const r of relations) {
      const model = delegate(r.model)!;
      const [largest] = await model.groupBy!({
        by: [r.foreignKey],
        _count: { [r.foreignKey]: true },
        orderBy: { _count: { [r.foreignKey]: 'desc' } },
        take: 1,
      });
      // At least one: a relation empty now may hold rows before the next count.
      next.set(`${r.parent}.${r.field}`, Math.max(1, largest?._count[r.foreignKey] ?? 0));
    }
    bounds = next;
    countedAt = Date.now();
  }

  return {
    bound: (type, field) => bounds.get(`${type}.${field}`),
    refresh() {
      if (Date.now() - countedAt < options.maxAgeMs) return Promise.resolve();
      counting ??= count()
        .catch(options.onError)
        .finally(() => (counting = undefined));
      // Stale counts still serve while new ones are made; only the very first count is waited for.
      return countedAt === 0 ? counting : Promise.resolve();
    },
  };
}
