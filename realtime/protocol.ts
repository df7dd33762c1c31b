import { AppError } from '../core/errors/index.js';
import type { AuthContext } from '../core/auth/context.js';
import type { Broker } from './broker/broker.js';
import {
  canPublish,
  canSubscribe,
  parseChannel,
  publishDenial,
  publishPermissions,
  PUBLISHABLE_PAYLOAD,
  subscribeDenial,
  type Denial,
} from './broker/channels.js';
import { wire, type ClientMessage } from '../proto/index.js';
import { CLOSE, type CloseReason } from './close-codes.js';
import type { Connection } from './connection.js';
import { decodeClientFrame, serverFrame } from './frames.js';
import type { Hub } from './hub.js';

export interface ProtocolLimits {
  maxFrameBytes: number;
  maxSubscriptions: number;
  maxConnectionsPerUser: number;
  pingIntervalMs: number;
}

export interface ProtocolDeps {
  hub: Hub;
  broker: Broker;
  limits: ProtocolLimits;
  node: string;
  /** A bearer credential → AuthContext; throws AppError for a bad one (core/auth/bearer.ts). */
  authenticate(token: string): Promise<AuthContext>;
  onError(err: unknown, context: string): void;
}

/** A refusal the client can act on; `close` ends the connection after the Error. */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly close?: CloseReason,
  ) {
    super(message);
  }
}

/**
 * When a credential ends: an API key's expiry, a session's end, an access token's `exp` (its signature was
 * checked by authenticate, so reading the claim is safe). A connection does not outlive its credential.
 */
export function credentialExpiry(token: string, auth: AuthContext): number {
  const ends: number[] = [];
  if (auth.apiKey?.expiresAt) ends.push(Date.parse(auth.apiKey.expiresAt));
  if (auth.sessionExpiresAt) ends.push(Date.parse(auth.sessionExpiresAt));
  const parts = token.split('.');
  if (parts.length === 3) {
    try {
      const exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { exp?: unknown }).exp;
      if (typeof exp === 'number') ends.push(exp * 1000);
    } catch {
      // Not a JWT after all: no expiry of its own.
    }
  }
  return ends.length > 0 ? Math.min(...ends) : Infinity;
}

/** Publications of one connection awaiting the broker before its next message waits for them. */
const MAX_PUBLISHING = 256;

const UNAVAILABLE = 'The realtime store is unreachable; try again shortly.';

/** realtime.forbidden, saying whether the credential's scopes or its holder's permissions fall short. */
const forbidden = (doing: string, { missing, by }: Denial) =>
  new Refusal(
    'realtime.forbidden',
    by === 'scope'
      ? `This credential's scopes do not include ${missing}, which ${doing} needs.`
      : `${doing[0]!.toUpperCase()}${doing.slice(1)} needs the permission ${missing}.`,
  );

/**
 * The realtime protocol per connection (proto/…/realtime.proto): authenticate first, then subscribe,
 * unsubscribe, publish and ping. Messages of one connection are handled in arrival order. Anything that is not
 * a well-formed binary frame of ClientMessages gets an Error and a 4400 close; a request the server refuses gets
 * an Error with a dotted code and the connection stays open.
 */
export function createProtocol(deps: ProtocolDeps) {
  const { hub, limits } = deps;
  const perPrincipal = new Map<string, number>();

  const reply = (connection: Connection, id: number, message: Parameters<typeof serverFrame>[0]) =>
    connection.send(serverFrame({ id, ...message }));

  const fail = (connection: Connection, id: number, refusal: Refusal) => {
    reply(connection, id, { error: { code: refusal.code, message: refusal.message } });
    if (refusal.close) connection.close(refusal.close);
  };

  async function authenticate(connection: Connection, message: ClientMessage): Promise<void> {
    const token = message.authenticate?.token ?? '';
    if (!token)
      throw new Refusal('realtime.credential_missing', 'Authenticate with a token.', CLOSE.notAuthenticated);
    let auth: AuthContext;
    try {
      auth = await deps.authenticate(token);
    } catch (err) {
      // A 403 (a banned account) holds for any credential of that person: retrying cannot help.
      if (err instanceof AppError && err.status === 403)
        throw new Refusal(err.code, err.message, CLOSE.forbidden);
      if (err instanceof AppError && err.status < 500)
        throw new Refusal(err.code, err.message, CLOSE.notAuthenticated);
      throw err;
    }
    if (auth.isAnonymous)
      throw new Refusal('auth.required', 'This credential identifies nobody.', CLOSE.notAuthenticated);
    if (auth.blockedByTwoFactor) {
      throw new Refusal(
        'auth.two_factor_required',
        'Complete two-factor authentication before connecting.',
        CLOSE.forbidden,
      );
    }
    if (connection.closed) return;
    const principal = auth.user ? `user:${auth.user.id}` : `key:${auth.apiKey?.id ?? 'unknown'}`;
    const open = perPrincipal.get(principal) ?? 0;
    if (open >= limits.maxConnectionsPerUser) {
      throw new Refusal(
        'realtime.too_many_connections',
        `At most ${limits.maxConnectionsPerUser} connections per user are allowed on one node.`,
        CLOSE.tooManyConnections,
      );
    }
    perPrincipal.set(principal, open + 1);
    clearTimeout(connection.authTimer);
    connection.auth = auth;
    connection.token = token;
    connection.principal = principal;
    connection.expiresAt = credentialExpiry(token, auth);
    reply(connection, message.id ?? 0, {
      connected: {
        connectionId: connection.id,
        userId: auth.user?.id ?? '',
        pingIntervalMs: limits.pingIntervalMs,
        maxFrameBytes: limits.maxFrameBytes,
        node: deps.node,
      },
    });
  }

  async function subscribe(connection: Connection, auth: AuthContext, message: ClientMessage): Promise<void> {
    const request = message.subscribe!;
    const channel = parseChannel(request.channel ?? '');
    if (!channel)
      throw new Refusal('realtime.invalid_channel', `"${request.channel}" is not a channel name.`);
    if (!canSubscribe(auth, channel)) {
      throw forbidden(`subscribing to ${channel.name}`, subscribeDenial(auth, channel));
    }
    if (connection.subscriptions.has(channel.name)) {
      throw new Refusal('realtime.already_subscribed', `You are already subscribed to ${channel.name}.`);
    }
    if (connection.subscriptions.size >= limits.maxSubscriptions) {
      throw new Refusal(
        'realtime.too_many_subscriptions',
        `At most ${limits.maxSubscriptions} subscriptions per connection are allowed.`,
      );
    }
    const since = request.since
      ? { epoch: request.since.epoch ?? '', offset: Number(request.since.offset ?? 0) }
      : undefined;
    connection.subscriptions.set(channel.name, channel);
    try {
      await hub.subscribe(connection, message.id, channel.name, since);
    } catch (err) {
      connection.subscriptions.delete(channel.name);
      deps.onError(err, 'realtime subscribe');
      throw new Refusal('realtime.unavailable', UNAVAILABLE);
    }
  }

  function unsubscribe(connection: Connection, message: ClientMessage): void {
    const name = message.unsubscribe!.channel ?? '';
    if (!connection.subscriptions.delete(name)) {
      throw new Refusal('realtime.not_subscribed', `You are not subscribed to ${name}.`);
    }
    hub.unsubscribe(connection, name);
    reply(connection, message.id ?? 0, { unsubscribed: { channel: name } });
  }

  async function publish(connection: Connection, auth: AuthContext, message: ClientMessage): Promise<void> {
    const request = message.publish!;
    const channel = parseChannel(request.channel ?? '');
    if (!channel)
      throw new Refusal('realtime.invalid_channel', `"${request.channel}" is not a channel name.`);
    const needed = publishPermissions(channel);
    if (needed === null) {
      throw new Refusal('realtime.read_only_channel', `Only Heimdall publishes on ${channel.name}.`);
    }
    if (!canPublish(auth, channel)) {
      throw forbidden(`publishing on ${channel.name}`, publishDenial(auth, channel));
    }
    const expected = PUBLISHABLE_PAYLOAD[channel.kind];
    const payload = request.payload;
    if (!payload || payload.kind !== expected) {
      throw new Refusal('realtime.payload_mismatch', `${channel.name} carries ${expected} payloads.`);
    }
    // A bot channel names its bot: the payload cannot claim another.
    if (channel.kind === 'bot' && payload.bot) {
      payload.bot.platform = channel.platform;
      payload.bot.botId = channel.botId;
    }
    let position;
    try {
      position = await deps.broker.publish(channel.name, wire.Payload.encode(payload).finish());
    } catch (err) {
      deps.onError(err, 'realtime publish');
      throw new Refusal('realtime.unavailable', UNAVAILABLE);
    }
    reply(connection, message.id ?? 0, { published: { channel: channel.name, position } });
  }

  function answerFailure(connection: Connection, message: ClientMessage, err: unknown): void {
    if (err instanceof Refusal) return fail(connection, message.id, err);
    deps.onError(err, 'realtime message');
    fail(connection, message.id, new Refusal('realtime.internal', 'Something went wrong on our side.'));
  }

  async function handle(connection: Connection, message: ClientMessage): Promise<void> {
    if (connection.closed) return;
    const auth = connection.auth;
    if (!auth) {
      if (message.kind !== 'authenticate') {
        throw new Refusal('realtime.not_authenticated', 'Send Authenticate first.', CLOSE.notAuthenticated);
      }
      return authenticate(connection, message);
    }
    switch (message.kind) {
      case 'authenticate':
        throw new Refusal('realtime.already_authenticated', 'This connection is already authenticated.');
      case 'subscribe':
        return subscribe(connection, auth, message);
      case 'unsubscribe':
        return unsubscribe(connection, message);
      case 'publish': {
        // Later messages need not wait for this one's Redis round trip: publications still leave in arrival
        // order, as the broker call is issued before the next message is handled and one Redis connection keeps
        // command order. A bound on what is in flight keeps a fast publisher from queueing without limit.
        const done = publish(connection, auth, message)
          .catch((err: unknown) => answerFailure(connection, message, err))
          .finally(() => (connection.publishing -= 1));
        connection.publishing += 1;
        return connection.publishing >= MAX_PUBLISHING ? done : undefined;
      }
      case 'ping':
        return reply(connection, message.id ?? 0, { pong: {} });
      default:
        throw new Refusal('realtime.bad_frame', 'The message has no known kind.', CLOSE.protocolError);
    }
  }

  return {
    /** A frame from the client: decoded, then its messages queued behind the connection's earlier ones. */
    frame(connection: Connection, data: Buffer, isBinary: boolean): void {
      if (connection.closed) return;
      connection.alive = true;
      if (!isBinary) {
        return fail(
          connection,
          0,
          new Refusal(
            'realtime.bad_frame',
            'Frames must be binary protobuf (text frames are not accepted).',
            CLOSE.protocolError,
          ),
        );
      }
      if (data.length > limits.maxFrameBytes) {
        return fail(
          connection,
          0,
          new Refusal(
            'realtime.frame_too_large',
            `Frames may carry at most ${limits.maxFrameBytes} bytes.`,
            CLOSE.frameTooLarge,
          ),
        );
      }
      let messages: ClientMessage[];
      try {
        messages = decodeClientFrame(data);
      } catch {
        return fail(
          connection,
          0,
          new Refusal(
            'realtime.bad_frame',
            'The frame is not a sequence of length-delimited ClientMessage (heimdall.realtime.v1).',
            CLOSE.protocolError,
          ),
        );
      }
      for (const message of messages) {
        connection.work = connection.work.then(() =>
          handle(connection, message).catch((err: unknown) => answerFailure(connection, message, err)),
        );
      }
    },

    /** The connection ended: its subscriptions and its place in the per-user count go. */
    closed(connection: Connection): void {
      connection.closed = true;
      clearTimeout(connection.authTimer);
      for (const channel of connection.subscriptions.keys()) hub.unsubscribe(connection, channel);
      connection.subscriptions.clear();
      if (connection.principal) {
        const left = (perPrincipal.get(connection.principal) ?? 1) - 1;
        if (left > 0) perPrincipal.set(connection.principal, left);
        else perPrincipal.delete(connection.principal);
        connection.principal = undefined;
      }
    },
  };
}

export type Protocol = ReturnType<typeof createProtocol>;
