import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AuthInvalidation } from '../../core/auth/auth-cache.js';
import type { AuthContext } from '../../core/auth/context.js';
import { concernsConnection } from '../../core/auth/invalidation.js';
import type { Keystone } from '../context.js';
import { sessionFor } from '../session.js';
import { tooDeepDocument, unsafeOperationInput } from './input-guard.js';
import type { ListBounds } from './list-bounds.js';
import { queryLimits } from './limits.js';
import { noSchemaDescription } from './schema-privacy.js';
import { formatGraphqlError } from './server.js';

export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  keystone: Keystone;
  /** `Authorization` value → AuthContext (throws on a bad credential): the same resolution as HTTP. */
  authenticate(authorization: string | undefined): Promise<AuthContext>;
  /** Called when credentials change (a key revoked, a user banned, roles changed): open sockets re-check. */
  onCredentialsChanged(listener: (event: AuthInvalidation) => void): () => void;
  /** As for HTTP: when off, the schema is not described (introspection, Keystone's adminMeta, suggestions). */
  introspection: boolean;
  maxDepth: number;
  maxCost: number;
  maxPageSize: number;
  listBounds: ListBounds;
  onInternalError(err: unknown): void;
}

/**
 * GraphQL subscriptions over graphql-ws on the same path as queries. The client authenticates in
 * `connection_init` with `{ "authorization": "Bearer hm_…" }`; a missing or bad credential, or a pending
 * required 2FA, closes the socket with 4403. Every subscription runs with that AuthContext as Keystone's
 * session and passes the same query limits as HTTP; errors carry the same dotted codes.
 */
/** Refusals before execution, with the codes HTTP gives them (graphql.invalid_query, graphql.too_deep…). */
const invalid = (errors: readonly GraphQLError[]): GraphQLError[] =>
  errors.map((e) => {
    const { heimdall_code: code, limit, actual } = e.extensions as Record<string, unknown>;
    return new GraphQLError(e.message, {
      nodes: e.nodes ?? null,
      extensions: { code: code ?? 'graphql.invalid_query', ...(limit ? { limit, actual } : {}) },
    });
  });

export function attachGraphqlWs(options: GraphqlWsOptions): {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const rules = [
    ...specifiedRules,
    queryLimits({
      maxDepth: options.maxDepth,
      maxCost: options.maxCost,
      maxPageSize: options.maxPageSize,
      listBound: options.listBounds.bound,
    }),
    ...(options.introspection ? [] : [noSchemaDescription]),
  ];
  const format = formatGraphqlError(options.onInternalError, options.maxPageSize, !options.introspection);

  // Open connections and the credential each authenticated with: a credential that no longer holds (a revoked
  // key, a banned user, an ended session, a revoked grant) is cut off at once (4403); other changes apply to
  // the connection's next operation. Which connections an invalidation concerns: core/auth/invalidation.ts.
  interface Open {
    socket: { close(code: number, reason: string): void };
    authorization: string | undefined;
    extra: { auth?: AuthContext };
  }
  const open = new Set<Open>();
  const stopListening = options.onCredentialsChanged((event) => {
    for (const connection of open) {
      const auth = connection.extra.auth;
      if (!auth || !concernsConnection(event, auth)) continue;
      options
        .authenticate(connection.authorization)
        .then((fresh) => {
          if (fresh.isAnonymous || fresh.blockedByTwoFactor) throw new Error('no longer allowed');
          connection.extra.auth = fresh;
        })
        .catch(() => {
          open.delete(connection);
          connection.socket.close(4403, 'Forbidden');
        });
    }
  });

  const cleanup = useServer<{ authorization?: string }, { auth?: AuthContext }>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        try {
          const auth = await options.authenticate(ctx.connectionParams?.authorization);
          if (auth.isAnonymous || auth.blockedByTwoFactor) return false;
          ctx.extra.auth = auth;
          const connection: Open = {
            socket: ctx.extra.socket,
            authorization: ctx.connectionParams?.authorization,
            extra: ctx.extra,
          };
          open.add(connection);
          ctx.extra.socket.once('close', () => open.delete(connection));
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) =>
        options.keystone.withSession(
          sessionFor(ctx.extra.auth!, {
            ip: ctx.extra.request.socket.remoteAddress,
            userAgent: ctx.extra.request.headers['user-agent'],
          }),
        ) as Keystone,
      async onSubscribe(_ctx, _id, payload) {
        await options.listBounds.refresh();
        const tooDeep = tooDeepDocument(payload.query);
        if (tooDeep) return invalid([tooDeep]);
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return invalid([err as GraphQLError]);
        }
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) return invalid(errors);
        // Variables arrive as parsed JSON of any depth (graphql-ws reads the message itself): bounded here.
        const refusal = unsafeOperationInput(document, payload.variables);
        if (refusal) return [refusal];
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
        };
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined,
    },
    wss,
  );

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close() {
      stopListening();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
