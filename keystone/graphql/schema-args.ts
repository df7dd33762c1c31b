import type { z } from 'zod';
import { validateInput } from '../../core/shared/validation.js';
import { camelCase } from '../../schemas/common.js';

/** A zod object schema of a REST input (a body in schemas/), whose keys are snake_case. */
export type InputSchema = z.ZodObject;

/** `post_logout_redirect_uris` → `postLogoutRedirectUris`: a schema key as a GraphQL name. */
export type Camel<K extends string> = K extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : K;

/** The schema's keys as GraphQL names. */
export type GraphQLKeyOf<S extends InputSchema> = Camel<keyof S['shape'] & string>;

/** GraphQL arguments for a schema: each of its keys in camelCase, possibly omitted or null. */
export type GraphQLArgsOf<S extends InputSchema> = { [K in GraphQLKeyOf<S>]?: unknown };

interface KeyPlan {
  key: string;
  name: string;
  /** Whether the schema takes null for the key ("clear it"); where it does not, a GraphQL null means omitted. */
  nullable: boolean;
}

const plans = new WeakMap<InputSchema, KeyPlan[]>();

function planOf(schema: InputSchema): KeyPlan[] {
  let plan = plans.get(schema);
  if (!plan) {
    plan = Object.entries(schema.shape).map(([key, field]) => ({
      key,
      name: camelCase(key),
      nullable: (field as z.ZodType).safeParse(null).success,
    }));
    plans.set(schema, plan);
  }
  return plan;
}

/**
 * GraphQL arguments as the REST body the schema describes: camelCase names to snake_case keys, for the
 * schema's keys only (other arguments, such as the id of the row to change, are the caller's). GraphQL has
 * one null for "absent" and "clear": it is passed on where the schema takes null, and means omitted elsewhere.
 */
export function restBody<S extends InputSchema>(schema: S, args: GraphQLArgsOf<S>): Record<string, unknown> {
  const values = args as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const { key, name, nullable } of planOf(schema)) {
    const value = values[name];
    if (value === undefined || (value === null && !nullable)) continue;
    body[key] = value;
  }
  return body;
}

/** GraphQL arguments validated by REST's schema: the same rules, and errors naming the same fields. */
export const schemaInput = <S extends InputSchema>(schema: S, args: GraphQLArgsOf<S>): z.output<S> =>
  validateInput(schema, restBody(schema, args), 'arguments') as z.output<S>;
