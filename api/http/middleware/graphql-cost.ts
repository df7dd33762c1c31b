import {
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * What a GraphQL request costs against the read and write limits. Each mutation field runs its resolver once,
 * so a document with 20 (aliased) `createApiKey` fields is 20 writes, not one: the top-level fields of the
 * mutation that will run are counted, through fragments. Queries are one read. A document that does not parse
 * is one write (the server refuses it anyway); so is a body whose operation cannot be told.
 */
export interface GraphqlCost {
  kind: 'read' | 'write';
  points: number;
}

const READ: GraphqlCost = { kind: 'read', points: 1 };
const ONE_WRITE: GraphqlCost = { kind: 'write', points: 1 };

function countFields(
  selections: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) count += 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      count += countFields(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value)) {
      // A fragment spread twice at the top level merges into the same fields: counted once.
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) count += countFields(fragment.selectionSet, fragments, seen);
    }
  }
  return count;
}

function costOfDocument(document: DocumentNode, operationName: unknown): GraphqlCost {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  // The operation that runs: the named one, else the only one; when it cannot be told, every mutation counts.
  const named = typeof operationName === 'string' && operationName !== '' ? operationName : undefined;
  const chosen = named ? operations.filter((o) => o.name?.value === named) : operations;
  const mutations = chosen.filter((o) => o.operation === 'mutation');
  if (mutations.length === 0) return READ;
  const points = mutations.reduce((n, o) => n + countFields(o.selectionSet, fragments, new Set()), 0);
  return { kind: 'write', points: Math.max(1, points) };
}

/** The cost of one GraphQL request body (`{ query, operationName }`). */
export function graphqlCost(body: unknown): GraphqlCost {
  const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return ONE_WRITE;
  // Most requests are queries: no parse unless the word `mutation` appears at all.
  if (!/\bmutation\b/.test(query)) return READ;
  try {
    return costOfDocument(parse(query, { noLocation: true }), operationName);
  } catch {
    return ONE_WRITE;
  }
}
