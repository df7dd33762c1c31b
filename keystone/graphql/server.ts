import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { RequestHandler } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { AuthContext } from '../../core/auth/context.js';
import { AppError } from '../../core/errors/index.js';
import { refusalFrom } from '../access.js';
import { sessionFor } from '../session.js';
import type { Keystone } from '../context.js';
import { refusedByDatabase } from './database-refusals.js';
import { inputGuard, tooDeepDocument } from './input-guard.js';
import type { ListBounds } from './list-bounds.js';
import { queryLimits } from './limits.js';
import { noSchemaDescription, withoutSuggestions } from './schema-privacy.js';

export interface GraphqlOptions {
  schema: GraphQLSchema;
  keystone: Keystone;
  introspection: boolean;
  playground: boolean;
  maxDepth: number;
  maxCost: number;
  maxPageSize: number;
  /** What relationship lists can really hold, for the cost limit (shared with graphql-ws). */
  listBounds: ListBounds;
  onInternalError(err: unknown): void;
}

/** Keystone's and Apollo's error codes, as the dotted codes REST answers with (docs/api.md, "Errors"). */
const CODES: Record<string, string> = {
  KS_ACCESS_DENIED: 'auth.forbidden',
  KS_VALIDATION_FAILURE: 'request.validation_failed',
  KS_USER_INPUT_ERROR: 'request.validation_failed',
  BAD_USER_INPUT: 'request.validation_failed',
  KS_LIMITS_EXCEEDED: 'graphql.limit_exceeded',
  KS_RELATIONSHIP_ERROR: 'request.validation_failed',
  GRAPHQL_VALIDATION_FAILED: 'graphql.invalid_query',
  GRAPHQL_PARSE_FAILED: 'graphql.invalid_query',
  PERSISTED_QUERY_NOT_SUPPORTED: 'graphql.invalid_query',
  OPERATION_RESOLUTION_FAILURE: 'graphql.invalid_query',
  BAD_REQUEST: 'request.invalid',
};

/** Finds an AppError thrown anywhere under Keystone's and Apollo's wrappers. */
function appErrorIn(err: unknown, depth = 0): AppError | undefined {
  if (!err || depth > 5) return undefined;
  if (err instanceof AppError) return err;
  const e = err as {
    originalError?: unknown;
    cause?: unknown;
    extensions?: { debug?: { error?: unknown }[] };
  };
  return appErrorIn(e.originalError, depth + 1) ?? appErrorIn(e.cause, depth + 1);
}

/**
 * Errors with a dotted code and a message a person understands; never a stack trace or an internal message.
 * With introspection off (`hideSchema`), messages lose the "Did you mean …?" hints that name the schema.
 */
export function formatGraphqlError(
  onInternal: (err: unknown) => void,
  maxPageSize: number,
  hideSchema: boolean,
) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const base = {
      message: hideSchema ? withoutSuggestions(formatted.message) : formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    const app = appErrorIn(error) ?? refusalFrom(formatted.message) ?? refusedByDatabase(error);
    if (app) {
      return {
        ...base,
        message: app.message,
        extensions: { code: app.code, ...(app.details ? { details: app.details } : {}) },
      };
    }
    const {
      code: rawCode,
      heimdall_code: ours,
      stacktrace: _s,
      debug: _d,
      ...rest
    } = formatted.extensions ?? {};
    const code = String(ours ?? rawCode ?? '');
    if (code.includes('.')) {
      // Ours (query limits, refusals before execution): keep the code and its safe extensions.
      const { http: _h, ...safe } = rest;
      return { ...base, extensions: { code, ...safe } };
    }
    const mapped = CODES[code];
    if (mapped === 'graphql.limit_exceeded') {
      return {
        ...base,
        message: `A page holds at most ${maxPageSize} items: ask with a smaller take.`,
        extensions: { code: mapped, limit: maxPageSize },
      };
    }
    if (mapped) return { ...base, extensions: { code: mapped } };
    if (code === 'PERSISTED_QUERY_NOT_FOUND') {
      // Automatic persisted queries: the protocol's own code, on which clients resend the full query.
      return {
        ...base,
        message: 'No query is stored under this hash: send the query with it.',
        extensions: { code },
      };
    }
    onInternal(error);
    return {
      ...base,
      message: 'Something went wrong on our side. Try again later.',
      extensions: { code: 'internal_error' },
    };
  };
}

/** An error that stops a request before it runs (Apollo answers it with this HTTP status). */
const refused = (code: string, status: number, message: string) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/** While a required 2FA is pending, only `me` answers (as GET /v1/me does); anything else is refused up front. */
const pendingTwoFactorGate: ApolloServerPlugin<Keystone> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        const session = contextValue.session as AuthContext | undefined;
        if (!session?.blockedByTwoFactor || !operation) return;
        const onlyMe = operation.selectionSet.selections.every(
          (s) => s.kind === 'Field' && (s.name.value === 'me' || s.name.value === '__typename'),
        );
        if (!onlyMe || operation.operation !== 'query') {
          throw refused(
            'auth.two_factor_required',
            403,
            'One of your roles requires two-factor authentication; set it up first.',
          );
        }
      },
    };
  },
};

/**
 * /api/graphql: Apollo Server over the one merged schema, each request run with the caller's
 * AuthContext as Keystone's session. Query limits, introspection and the sandbox page follow config.
 */
export async function createGraphqlServer(
  options: GraphqlOptions,
): Promise<{ handler: RequestHandler; stop(): Promise<void> }> {
  const { listBounds } = options;
  const plugins: ApolloServerPlugin<Keystone>[] = [
    {
      async requestDidStart() {
        await listBounds.refresh();
      },
    },
    pendingTwoFactorGate,
    inputGuard,
    // No list sets cache hints, and the plugin would wrap every field's resolver: a tenth of a large query's CPU.
    ApolloServerPluginCacheControlDisabled(),
    options.playground
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
      : ApolloServerPluginLandingPageDisabled(),
  ];
  const formatError = formatGraphqlError(
    options.onInternalError,
    options.maxPageSize,
    !options.introspection,
  );
  const server = new ApolloServer<Keystone>({
    schema: options.schema,
    // Refused by noSchemaDescription below, together with the rest of what describes the schema.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // The platform owns shutdown (server/start.ts): Apollo's own handler would re-raise the signal and cut
    // the audit flush and the embedded PostgreSQL stop short.
    stopOnTerminationSignals: false,
    validationRules: [
      queryLimits({
        maxDepth: options.maxDepth,
        maxCost: options.maxCost,
        maxPageSize: options.maxPageSize,
        listBound: listBounds.bound,
      }),
      ...(options.introspection ? [] : [noSchemaDescription]),
    ],
    formatError,
    plugins,
  });
  await Promise.all([server.start(), listBounds.refresh()]);
  const handler = expressMiddleware(server, {
    context: async ({ req }) => {
      const auth = (req as unknown as { auth: AuthContext }).auth;
      return options.keystone.withSession(
        sessionFor(auth, { ip: req.ip, userAgent: req.get('user-agent') }),
      ) as Keystone;
    },
  });
  // A document nested too deep would overflow graphql-js's recursive parser inside Apollo: measured first.
  const guarded: RequestHandler = (req, res, next) => {
    const query = (req.body as { query?: unknown } | undefined)?.query ?? req.query?.query;
    const refusal = typeof query === 'string' ? tooDeepDocument(query) : undefined;
    if (!refusal) return handler(req, res, next);
    res.status(400).json({ errors: [formatError(refusal.toJSON(), refusal)] });
  };
  return { handler: guarded, stop: () => server.stop() };
}
