import { getNamedType, GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * What a deployment with introspection off keeps to itself: the schema. graphql-js answers a misspelt field,
 * argument, type or enum value with "Did you mean …?", which lets a caller map the schema by guessing; and
 * Keystone's `keystone { adminMeta }` describes every list and field. Both are withheld from such callers.
 */

const SUGGESTION = / ?Did you mean [^?]*\?/g;

/** `message` without the "Did you mean …?" hints that name parts of the schema. */
export const withoutSuggestions = (message: string): string => message.replace(SUGGESTION, '');

/** Introspection's own entry points, and Keystone's types that describe the schema (the Admin UI's metadata). */
const describesSchema = (fieldName: string, typeName: string) =>
  fieldName === '__schema' ||
  fieldName === '__type' ||
  typeName === 'KeystoneMeta' ||
  typeName.startsWith('KeystoneAdmin');

/** Refuses every field whose answer describes the schema, once per such field (not again for what it holds). */
export function noSchemaDescription(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const field = context.getFieldDef();
      if (!describesSchema(node.name.value, field ? getNamedType(field.type).name : '')) return undefined;
      context.reportError(
        new GraphQLError(`"${node.name.value}" describes the schema, and introspection is off here.`, {
          nodes: [node],
        }),
      );
      return false;
    },
  };
}
