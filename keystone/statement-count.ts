/**
 * Counts the SQL statements Prisma sends through its driver adapter (queries, commands, and the BEGIN of each
 * transaction), so that tests and the benchmark can tell whether a GraphQL query's statement count grows with
 * the number of items it returns.
 */
export interface StatementCount {
  readonly statements: number;
}

const SENDS_SQL = new Set<PropertyKey>(['queryRaw', 'executeRaw']);
const OPENS = new Set<PropertyKey>(['connect', 'startTransaction']);

/** `target` (a driver adapter factory, adapter or transaction) counting into `count`. */
function counting<T extends object>(target: T, count: { statements: number }): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (SENDS_SQL.has(property)) {
        return (...args: unknown[]) => {
          count.statements++;
          return value.apply(object, args);
        };
      }
      if (OPENS.has(property)) {
        return async (...args: unknown[]) => counting(await value.apply(object, args), count);
      }
      return value.bind(object);
    },
  });
}

/** The driver adapter factory `factory`, and the count of statements sent through it. */
export function countStatements<F extends object>(factory: F): { factory: F; count: StatementCount } {
  const count = { statements: 0 };
  return { factory: counting(factory, count), count };
}
