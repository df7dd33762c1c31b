/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { GraphQLClient, ClientError } from 'graphql-request';

export interface GraphqlAnswer {
  status: number;
  data: any;
  errors: { message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** A real GraphQL client (graphql-request) on /api/graphql with a Bearer key; never throws on GraphQL errors. */
export function graphqlClient(baseUrl: string, key?: string, headers: Record<string, string> = {}) {
  const client = new GraphQLClient(`${baseUrl}/api/graphql`, {
    headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  return async (query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer> => {
    try {
      const { data, status } = await client.rawRequest<any>(query, variables);
      return { status, data, errors: [] };
    } catch (err) {
      if (err instanceof ClientError) {
        return {
          status: err.response.status,
          data: err.response.data ?? null,
          errors: (err.response.errors ?? []) as GraphqlAnswer['errors'],
        };
      }
      throw err;
    }
  };
}

export const codes = (answer: GraphqlAnswer) => answer.errors.map((e) => e.extensions?.code);
