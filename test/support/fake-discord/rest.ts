import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler gets: path parameters, the parsed JSON body, query and headers. */
export interface RestRequest {
  params: string[];
  body: unknown;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** X-Audit-Log-Reason, decoded (discord.js URI-encodes it). */
  reason: string | undefined;
}

export interface RestAnswer {
  status: number;
  body?: unknown;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Interaction callbacks and webhooks are authorised by their token in the path, not the bot's. */
  auth: boolean;
  handle(request: RestRequest): RestAnswer;
}

export const ok = (body: unknown): RestAnswer => ({ status: 200, body });
export const noContent = (): RestAnswer => ({ status: 204 });
/** Discord's error body: an HTTP status with Discord's own code (discord.com/developers/docs/topics/opcodes-and-status-codes#json). */
export const fail = (status: number, code: number, message: string): RestAnswer => ({
  status,
  body: { message, code },
});

/** Turns `/guilds/:id/members/:id` into a pattern capturing each parameter. */
export function route(
  method: string,
  path: string,
  handle: Route['handle'],
  options: { auth?: boolean } = {},
): Route {
  const source = path.replace(/[.@]/g, '\\$&').replace(/:[a-z]+/g, '([^/]+)');
  return { method, pattern: new RegExp(`^/api/v10${source}$`), auth: options.auth ?? true, handle };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves Discord's REST API from routes: `Authorization: Bot <token>` on every route that takes it (401 with
 * Discord's body otherwise), JSON bodies, and Discord's error format for unknown routes (404) and bad JSON.
 */
export function restHandler(routes: Route[], token: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const send = ({ status, body }: RestAnswer) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      response.end(text);
    };
    const text = await readBody(request);
    // Matched segment by segment decoded: @discordjs/rest writes `@original` as `%40original`.
    let pathname: string;
    try {
      pathname = url.pathname.split('/').map(decodeURIComponent).join('/');
    } catch {
      return send(fail(404, 0, '404: Not Found'));
    }
    const matched = routes
      .filter((r) => r.method === request.method)
      .map((r) => ({ r, match: r.pattern.exec(pathname) }))
      .find((m) => m.match);
    if (!matched) return send(fail(404, 0, '404: Not Found'));
    if (matched.r.auth && request.headers.authorization !== `Bot ${token}`) {
      return send(fail(401, 0, '401: Unauthorized'));
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(fail(400, 50109, 'The request body contains invalid JSON.'));
    }
    const header = request.headers['x-audit-log-reason'];
    const reason = typeof header === 'string' ? decodeURIComponent(header) : undefined;
    try {
      send(
        matched.r.handle({
          params: matched.match!.slice(1),
          body,
          query: url.searchParams,
          headers: request.headers,
          reason,
        }),
      );
    } catch (err) {
      send(fail(500, 0, String((err as Error).message)));
    }
  };
}
