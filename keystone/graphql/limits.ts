import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ASTVisitor,
} from 'graphql';

/**
 * Query limits: how deep a selection may nest, and how many fields it may cost, where a list field costs the
 * items it can return times its selection: its page size (`take` when it is a literal, else the maximum page),
 * or fewer when the list is a relationship whose largest set under one parent is known (list-bounds.ts) or the
 * field states its most items (the field extension `maxItems`, from a response schema's `.max(n)`).
 * Both are computed before anything runs, so an abusive query costs a parse and nothing else. The dotted code
 * rides in `heimdall_code` because Apollo stamps every validation error GRAPHQL_VALIDATION_FAILED.
 */

/** Items a list field `type.field` can hold under one parent, when known. */
export type ListBound = (type: string, field: string) => number | undefined;

interface Measure {
  depth: number;
  cost: number;
}

function pageSize(
  field: { arguments?: readonly { name: { value: string }; value: { kind: string } }[] },
  max: number,
) {
  const take = field.arguments?.find((a) => a.name.value === 'take' || a.name.value === 'first');
  if (take && take.value.kind === Kind.INT)
    return Math.min(Number((take.value as unknown as { value: string }).value), max);
  return max;
}

function measure(
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: Record<string, FragmentDefinitionNode>,
  context: ValidationContext,
  maxPage: number,
  seen: Set<string>,
  listBound: ListBound,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
      const def: GraphQLField<unknown, unknown> | undefined = fields[selection.name.value];
      if (!def) continue; // unknown fields are reported by graphql's own rules
      const stated = def.extensions.maxItems;
      const multiplier = isListType(getNullableType(def.type))
        ? Math.min(
            pageSize(selection, maxPage),
            listBound(parent.name, def.name) ?? maxPage,
            typeof stated === 'number' ? stated : maxPage,
          )
        : 1;
      const type = getNamedType(def.type);
      if (selection.selectionSet && (isObjectType(type) || isInterfaceType(type))) {
        const inner = measure(selection.selectionSet, type, fragments, context, maxPage, seen, listBound);
        depth = Math.max(depth, inner.depth + 1);
        cost += 1 + multiplier * inner.cost;
      } else {
        depth = Math.max(depth, 1);
        cost += 1;
      }
    } else {
      const set =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : fragments[selection.name.value]?.selectionSet;
      const typeName =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.typeCondition?.name.value
          : fragments[selection.name.value]?.typeCondition.name.value;
      if (!set) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue; // cycles are graphql's own error
        seen = new Set(seen).add(selection.name.value);
      }
      const type = typeName ? context.getSchema().getType(typeName) : parent;
      const inner = measure(
        set,
        type && (isObjectType(type) || isInterfaceType(type)) ? type : parent,
        fragments,
        context,
        maxPage,
        seen,
        listBound,
      );
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

export function queryLimits(limits: {
  maxDepth: number;
  maxCost: number;
  maxPageSize: number;
  listBound?: ListBound;
}): ValidationRule {
  const listBound = limits.listBound ?? (() => undefined);
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of document.definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    return {
      OperationDefinition(node) {
        const schema = context.getSchema();
        const root =
          node.operation === 'query'
            ? schema.getQueryType()
            : node.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        if (!root) return;
        const { depth, cost } = measure(
          node.selectionSet,
          root,
          fragments,
          context,
          limits.maxPageSize,
          new Set(),
          listBound,
        );
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`This query nests ${depth} levels deep; the limit is ${limits.maxDepth}.`, {
              nodes: [node],
              extensions: { heimdall_code: 'graphql.too_deep', limit: limits.maxDepth, actual: depth },
            }),
          );
        }
        if (cost > limits.maxCost) {
          context.reportError(
            new GraphQLError(
              `This query could return ${cost} fields; the limit is ${limits.maxCost}. Ask for smaller pages or fewer fields.`,
              {
                nodes: [node],
                extensions: { heimdall_code: 'graphql.too_costly', limit: limits.maxCost, actual: cost },
              },
            ),
          );
        }
      },
    };
  };
}
