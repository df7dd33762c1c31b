/**
 * Keystone reads a relationship list (`user.roles`, `role.permissions`) with one findMany per parent item, each
 * already filtered by the caller's access rules: a page of 100 users with their roles and each role's
 * permissions cost hundreds of statements. This Prisma client extension merges the findMany calls made in the
 * same turn of the event loop that differ only in the parent they belong to into one statement
 * (`… AND "user_id" IN (…)`), then hands each caller its own rows, with its own `skip` and `take`. Access rules,
 * filters and ordering stay Keystone's: only the parent's id is merged.
 *
 * It reads the shape of Keystone's relationship query (checked against @keystone-6/core 8.1): should an
 * upgrade change it, nothing is merged any more and test/graphql/batching.test.ts, which bounds the statement
 * count of 100 users with their roles and permissions, fails.
 */

type Where = Record<string, unknown>;

interface FindManyArgs {
  where?: Where;
  orderBy?: unknown;
  take?: number;
  skip?: number;
  cursor?: unknown;
  [other: string]: unknown;
}

interface Waiting {
  parentId: string;
  take: number | undefined;
  skip: number;
  resolve(rows: unknown[]): void;
  reject(err: unknown): void;
  /** This caller's own query, to fall back on. */
  alone(): Promise<unknown[]>;
}

interface Delegate {
  findMany(args: FindManyArgs): Promise<unknown[]>;
}

const isDelegate = (value: unknown): value is Delegate =>
  typeof value === 'object' && value !== null && typeof (value as Delegate).findMany === 'function';

interface Batch {
  query(args: FindManyArgs): Promise<unknown[]>;
  where: Where;
  relation: string;
  orderBy: unknown;
  waiting: Waiting[];
}

/**
 * Keystone's relationship read: `{ AND: [filter, { <relation>: { id: <parent id> } }] }`, the relation a to-one
 * field whose foreign key (`<relation>Id`, Keystone's naming) this model holds.
 */
function relationRead(args: FindManyArgs): { where: Where; relation: string; parentId: string } | undefined {
  const and = args.where?.AND;
  if (!Array.isArray(and) || and.length !== 2 || args.cursor) return undefined;
  if ((args.take ?? 0) < 0 || (args.skip ?? 0) < 0) return undefined;
  const [where, parent] = and as [Where, Where];
  const keys = Object.keys(parent ?? {});
  if (keys.length !== 1) return undefined;
  const target = parent[keys[0]!] as Where | null;
  const targetKeys = Object.keys(target ?? {});
  if (targetKeys.length !== 1 || typeof target?.id !== 'string') return undefined;
  return { where, relation: keys[0]!, parentId: target.id };
}

async function run(batch: Batch): Promise<void> {
  const foreignKey = `${batch.relation}Id`;
  const ids = [...new Set(batch.waiting.map((w) => w.parentId))];
  let rows: Record<string, unknown>[];
  try {
    rows = (await batch.query({
      where: { AND: [batch.where, { [foreignKey]: { in: ids } }] },
      ...(batch.orderBy === undefined ? {} : { orderBy: batch.orderBy }),
    })) as Record<string, unknown>[];
  } catch {
    // Not a shape this model supports (no such foreign key): each caller runs its own query, as without us.
    for (const w of batch.waiting) w.alone().then(w.resolve, w.reject);
    return;
  }
  const byParent = new Map<unknown, Record<string, unknown>[]>();
  for (const row of rows) {
    const group = byParent.get(row[foreignKey]);
    if (group) group.push(row);
    else byParent.set(row[foreignKey], [row]);
  }
  for (const w of batch.waiting) {
    const own = byParent.get(w.parentId) ?? [];
    w.resolve(own.slice(w.skip, w.take === undefined ? undefined : w.skip + w.take));
  }
}

/**
 * For `db.extendPrismaClient`: the client with relationship reads merged per turn of the event loop. A plain
 * proxy in front of Prisma rather than a Prisma query extension, so that a merged read costs Prisma one call
 * instead of one per parent; transactions (`$transaction`) get Prisma's own client and are never merged.
 */
export function batchRelationReads<C extends object>(client: C): C {
  const pending = new Map<string, Batch>();
  const flush = () => {
    const batches = [...pending.values()];
    pending.clear();
    for (const batch of batches) void run(batch);
  };

  function findMany(model: string, delegate: Delegate, args: FindManyArgs): Promise<unknown[]> {
    const alone = () => delegate.findMany(args);
    const read = relationRead(args);
    if (!read) return alone();
    let key: string;
    try {
      key = JSON.stringify([model, read.relation, read.where, args.orderBy]);
    } catch {
      return alone(); // a value JSON cannot hold (a BigInt): not merged
    }
    let batch = pending.get(key);
    if (!batch) {
      if (pending.size === 0) setImmediate(flush);
      batch = {
        query: (merged) => delegate.findMany(merged),
        where: read.where,
        relation: read.relation,
        orderBy: args.orderBy,
        waiting: [],
      };
      pending.set(key, batch);
    }
    const waiting = batch.waiting;
    return new Promise((resolve, reject) =>
      waiting.push({
        parentId: read.parentId,
        take: args.take,
        skip: args.skip ?? 0,
        resolve,
        reject,
        alone,
      }),
    );
  }

  const delegates = new Map<string, Delegate>();
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value === 'function') return value.bind(target);
      if (typeof property !== 'string' || property.startsWith('$') || !isDelegate(value)) return value;
      let delegate = delegates.get(property);
      if (!delegate) {
        const model = property;
        delegate = new Proxy(value, {
          get(d, p) {
            if (p === 'findMany') return (args: FindManyArgs) => findMany(model, d, args);
            const member: unknown = Reflect.get(d, p, d);
            return typeof member === 'function' ? member.bind(d) : member;
          },
        });
        delegates.set(property, delegate);
      }
      return delegate;
    },
  });
}
