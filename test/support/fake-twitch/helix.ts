import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeTwitchState, FakeTwitchUser } from './state.js';

type Answer = [status: number, body: unknown];

const error = (status: number, message: string): Answer => [
  status,
  { error: status === 401 ? 'Unauthorized' : status === 409 ? 'Conflict' : 'Bad Request', status, message },
];

const userBody = (u: FakeTwitchUser) => ({
  ...u,
  type: '',
  broadcaster_type: '',
  description: '',
  profile_image_url: '',
  offline_image_url: '',
  view_count: 0,
  created_at: '2016-12-14T20:32:28Z',
});

/**
 * Helix under /helix: users, moderation bans and EventSub subscriptions, with Client-Id and the Bearer user
 * token checked as Twitch does and every change recorded.
 */
export function helixHandler(state: FakeTwitchState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const [status, answer] = route(state, req, url, body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  };
}

function route(state: FakeTwitchState, req: IncomingMessage, url: URL, body: unknown): Answer {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return error(401, 'OAuth token is missing');
  const caller = state.userOfToken(token);
  if (!caller) return error(401, 'Invalid OAuth token');
  if (req.headers['client-id'] !== state.clientId)
    return error(401, 'Client ID and OAuth token do not match');
  const q = url.searchParams;
  const at = `${req.method} ${url.pathname}`;
  if (at === 'GET /helix/users') {
    const logins = q.getAll('login');
    const ids = q.getAll('id');
    const found =
      logins.length || ids.length
        ? state.users.filter((u) => logins.includes(u.login) || ids.includes(u.id))
        : [caller];
    return [200, { data: found.map(userBody) }];
  }
  if (at === 'POST /helix/moderation/bans') return ban(state, q, body, token, caller);
  if (at === 'POST /helix/eventsub/subscriptions') return subscribe(state, body, token, caller);
  return [404, { error: 'Not Found', status: 404, message: `no ${at} in the fake` }];
}

function ban(
  state: FakeTwitchState,
  q: URLSearchParams,
  body: unknown,
  token: string,
  caller: FakeTwitchUser,
): Answer {
  const broadcasterId = q.get('broadcaster_id');
  const moderatorId = q.get('moderator_id');
  if (!broadcasterId || !moderatorId)
    return error(400, 'Missing required parameter broadcaster_id or moderator_id');
  if (moderatorId !== caller.id) {
    return error(401, 'The ID in moderator_id must match the user ID in the user access token.');
  }
  if (moderatorId !== broadcasterId)
    return error(403, 'The user in moderator_id is not one of the broadcaster’s moderators.');
  const data = (body as { data?: { user_id?: unknown; duration?: unknown; reason?: unknown } } | undefined)
    ?.data;
  if (typeof data?.user_id !== 'string') return error(400, 'Missing required field user_id');
  const { duration } = data;
  if (
    duration !== undefined &&
    (!Number.isInteger(duration) || (duration as number) < 1 || (duration as number) > 1_209_600)
  ) {
    return error(400, 'The value in the duration field is not valid.');
  }
  const reason = typeof data.reason === 'string' ? data.reason : '';
  if (reason.length > 500) return error(400, 'The text in the reason field is too long.');
  state.bans.push({
    broadcasterId,
    moderatorId,
    userId: data.user_id,
    ...(duration === undefined ? {} : { duration: duration as number }),
    reason,
    token,
  });
  const now = new Date();
  return [
    200,
    {
      data: [
        {
          broadcaster_id: broadcasterId,
          moderator_id: moderatorId,
          user_id: data.user_id,
          created_at: now.toISOString(),
          end_time:
            duration === undefined
              ? null
              : new Date(now.getTime() + (duration as number) * 1000).toISOString(),
        },
      ],
    },
  ];
}

function subscribe(state: FakeTwitchState, body: unknown, token: string, caller: FakeTwitchUser): Answer {
  const request = body as
    | {
        type?: unknown;
        version?: unknown;
        condition?: Record<string, string>;
        transport?: { method?: unknown; session_id?: unknown };
      }
    | undefined;
  if (typeof request?.type !== 'string' || typeof request.version !== 'string' || !request.condition) {
    return error(400, 'The request body is not valid.');
  }
  const sessionId = request.transport?.session_id;
  if (request.transport?.method !== 'websocket' || typeof sessionId !== 'string') {
    return error(400, 'The fake takes only websocket transports.');
  }
  const session = state.sessions.get(sessionId);
  if (!session || session.closed) {
    return error(400, 'websocket transport session does not exist or has already disconnected');
  }
  const condition = request.condition;
  const duplicate = state.subscriptions.some(
    (s) =>
      s.sessionId === sessionId &&
      s.status === 'enabled' &&
      s.type === request.type &&
      JSON.stringify(s.condition) === JSON.stringify(condition),
  );
  if (duplicate) return error(409, 'subscription already exists');
  const subscription = {
    id: randomUUID(),
    type: request.type,
    version: request.version,
    condition,
    sessionId,
    token,
    userId: caller.id,
    status: 'enabled' as const,
  };
  state.subscriptions.push(subscription);
  return [
    202,
    {
      data: [
        {
          id: subscription.id,
          status: 'enabled',
          type: subscription.type,
          version: subscription.version,
          condition,
          created_at: new Date().toISOString(),
          transport: { method: 'websocket', session_id: sessionId, connected_at: new Date().toISOString() },
          cost: 0,
        },
      ],
      total: state.subscriptions.length,
      total_cost: 0,
      max_total_cost: 10,
    },
  ];
}
