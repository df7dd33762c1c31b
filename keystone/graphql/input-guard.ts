import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode } from 'graphql';
import {
  describeUnsafe,
  findUnsafeInput,
  jsonNestsDeeperThan,
  unsafeText,
} from '../../core/shared/input-text.js';

/**
 * Input refused before an operation runs, as REST refuses it at validation: text PostgreSQL cannot keep and
 * JSON nested too deep (core/shared/input-text.ts, the platform's one check), in the query's string literals
 * and in the variables, and a negative `skip`, which Prisma would reject only once the query is built.
 */

interface FieldIssue {
  in: 'query' | 'variables';
  field: string;
  message: string;
}

/** Where a literal sits in the document: field, argument and input field names, e.g. `users.where.username.equals`. */
function pathOf(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string {
  return ancestors
    .flatMap((a) =>
      'kind' in a && (a.kind === Kind.FIELD || a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD)
        ? [(a.kind === Kind.FIELD ? a.alias?.value : undefined) ?? a.name.value]
        : [],
    )
    .join('.');
}

function issuesIn(document: DocumentNode, variables: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const unsafe = findUnsafeInput(variables);
  if (unsafe) {
    issues.push({ in: 'variables', field: unsafe.path.join('.'), message: describeUnsafe(unsafe.reason) });
  }
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      const reason = unsafeText(node.value);
      if (!reason) return;
      const where = parent && !Array.isArray(parent) ? [...ancestors, parent as ASTNode] : [...ancestors];
      issues.push({ in: 'query', field: pathOf(where), message: describeUnsafe(reason) });
    },
    Argument(node, _key, _parent, _path, ancestors) {
      if (node.name.value !== 'skip') return;
      const value =
        node.value.kind === Kind.INT
          ? Number(node.value.value)
          : node.value.kind === Kind.VARIABLE
            ? variables[node.value.name.value]
            : undefined;
      if (typeof value !== 'number' || value >= 0) return;
      const field = pathOf([...ancestors, node]);
      issues.push(
        node.value.kind === Kind.VARIABLE
          ? { in: 'variables', field: node.value.name.value, message: `${field} may not be negative.` }
          : { in: 'query', field, message: 'May not be negative.' },
      );
    },
  });
  return issues;
}

/** The refusal for an operation with unsafe input (400 request.validation_failed naming each field), if any. */
export function unsafeOperationInput(
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError | undefined {
  const fields = issuesIn(document, variables ?? {});
  if (fields.length === 0) return undefined;
  return new GraphQLError(`The request ${fields[0]!.in} is not valid.`, {
    extensions: { code: 'request.validation_failed', http: { status: 400 }, details: { fields } },
  });
}

/**
 * Brackets, braces and parentheses nested deeper than any real document needs. graphql-js parses
 * recursively: a literal nested a few thousand levels overflows the stack before its token limit is reached,
 * so the source is measured before it is parsed. The selection depth limit (graphql.max_depth) applies after.
 */
export const MAX_DOCUMENT_NESTING = 64;

/** The refusal for a document nested too deep to parse safely, if it is. */
export function tooDeepDocument(source: string): GraphQLError | undefined {
  if (!jsonNestsDeeperThan(source.replace(/\(/g, '[').replace(/\)/g, ']'), MAX_DOCUMENT_NESTING))
    return undefined;
  return new GraphQLError(`This document nests deeper than ${MAX_DOCUMENT_NESTING} levels.`, {
    extensions: { heimdall_code: 'graphql.too_deep', limit: MAX_DOCUMENT_NESTING },
  });
}

/** The same check for /api/graphql, once the operation is known and before it runs. */
export const inputGuard: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }) {
        const refusal = unsafeOperationInput(document, request.variables);
        if (refusal) throw refusal;
      },
    };
  },
};
