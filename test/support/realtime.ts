import { afterEach, describe } from '@jest/globals';
import type { Knex } from 'knex';
import protobuf from 'protobufjs/minimal.js';
import { WebSocket, type ClientOptions } from 'ws';
import { wire, type ClientMessageInit, type PayloadInit, type ServerMessage } from '../../proto/index.js';
import { RealtimeClient, type RealtimeClientOptions } from '../../sdk/realtime/index.js';
import { createKey, createUser, type TestKey } from './fixtures.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from './services.js';

/** ws://host:port/ws of a running platform (its http:// url). */
export const wsUrl = (httpUrl: string, path = '/ws'): string => `${httpUrl.replace(/^http/, 'ws')}${path}`;

export { waitUntil } from './wait.js';

export interface Closed {
  code: number;
  reason: string;
}

/** The bytes of one delimited ClientMessage (what a well-behaved client sends as a frame). */
export const clientFrame = (message: NonNullable<ClientMessageInit>): Uint8Array =>
  wire.ClientMessage.encodeDelimited(wire.ClientMessage.create(message)).finish();

/** An encoded Payload{data} (app channels), for publishing through a broker directly. */
export const dataPayload = (data: Uint8Array | string): Uint8Array =>
  wire.Payload.encode(
    wire.Payload.create({ data: typeof data === 'string' ? Buffer.from(data) : data }),
  ).finish();

/**
 * A bare WebSocket speaking the wire protocol by hand: every server frame is split into its delimited
 * ServerMessages and kept in `messages`, so a test can assert exactly what arrived and how the socket closed.
 */
export class RawClient {
  readonly messages: ServerMessage[] = [];
  /** Set when a server frame did not decode (the server must never send one). */
  decodeError: Error | undefined;
  closedWith: Closed | undefined;
  readonly closed: Promise<Closed>;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      const reader = protobuf.Reader.create(data);
      try {
        while (reader.pos < reader.len) this.messages.push(wire.ServerMessage.decodeDelimited(reader));
      } catch (err) {
        this.decodeError = err as Error;
      }
      this.notify();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
        this.notify();
      });
    });
  }

  static connect(url: string, options: ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Sends a ClientMessage (an id is assigned unless given); returns the id. */
  send(message: NonNullable<ClientMessageInit>): number {
    const id = message.id ?? this.nextId++;
    this.ws.send(clientFrame({ ...message, id }), { binary: true });
    return id;
  }

  sendBytes(bytes: Uint8Array | string, binary = true): void {
    this.ws.send(bytes, { binary });
  }

  /** The first message (received so far or later) that matches. */
  waitFor(predicate: (m: ServerMessage) => boolean, what: string, timeoutMs = 3000): Promise<ServerMessage> {
    const found = this.messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.messages.find(predicate);
        if (match) {
          done();
          resolve(match);
        } else if (this.closedWith) {
          done();
          reject(
            new Error(
              `closed (${this.closedWith.code}) before ${what}; got ${describeMessages(this.messages)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${describeMessages(this.messages)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Sends a request and resolves with the reply carrying its id (an Error reply included). */
  async request(message: NonNullable<ClientMessageInit>, timeoutMs = 3000): Promise<ServerMessage> {
    const id = this.send(message);
    return this.waitFor((m) => m.id === id, `the reply to request ${id}`, timeoutMs);
  }

  async authenticate(token: string): Promise<ServerMessage> {
    const reply = await this.request({ authenticate: { token, client: 'raw-test' } });
    if (reply.kind !== 'connected') throw new Error(`authenticate failed: ${describeMessages([reply])}`);
    return reply;
  }

  errorCodes(): string[] {
    return this.messages.filter((m) => m.kind === 'error').map((m) => m.error!.code!);
  }

  async waitClosed(timeoutMs = 3000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.closed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`still open after ${timeoutMs} ms; got ${describeMessages(this.messages)}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

export function describeMessages(messages: readonly ServerMessage[]): string {
  const shown = messages.slice(0, 20).map((m) => {
    if (m.kind === 'error') return `error(${m.error?.code})`;
    if (m.kind === 'disconnect') return `disconnect(${m.disconnect?.code})`;
    if (m.kind === 'unsubscribed') return `unsubscribed(${m.unsubscribed?.code || ''})`;
    return m.kind ?? 'none';
  });
  return `[${shown.join(', ')}${messages.length > 20 ? `, … ${messages.length - 20} more` : ''}]`;
}

/** Raw clients and SDK clients closed after each test, so a failed test leaves nothing open. */
export function trackClients() {
  const raw = new Set<RawClient>();
  const sdk = new Set<RealtimeClient>();
  afterEach(async () => {
    for (const c of raw) c.close();
    raw.clear();
    await Promise.all([...sdk].map((c) => c.close()));
    sdk.clear();
  });
  return {
    async raw(url: string, options?: ClientOptions): Promise<RawClient> {
      const client = await RawClient.connect(url, options);
      raw.add(client);
      return client;
    },
    /** A raw client already authenticated. */
    async rawAuthed(url: string, token: string): Promise<RawClient> {
      const client = await RawClient.connect(url);
      raw.add(client);
      await client.authenticate(token);
      return client;
    },
    /** Closes this SDK client after the test too. */
    adopt(client: RealtimeClient): RealtimeClient {
      sdk.add(client);
      return client;
    },
    /** An SDK client (fast reconnect for tests), connected. */
    async sdk(
      url: string,
      token: RealtimeClientOptions['token'],
      options: Partial<RealtimeClientOptions> = {},
    ): Promise<RealtimeClient> {
      const client = new RealtimeClient({
        url,
        token,
        reconnect: { minDelayMs: 20, maxDelayMs: 200 },
        timeoutMs: 5000,
        ...options,
      });
      sdk.add(client);
      await client.connect();
      return client;
    },
  };
}

/** A custom role holding exactly `permissions` (ids such as "audit:read"), for keys that may do only that. */
export async function createRoleWith(db: Knex, permissions: readonly string[]): Promise<string> {
  const id = uniqueName('role_rt');
  await db('Role').insert({ id, name: id, description: 'realtime test role' });
  if (permissions.length) {
    await db('RolePermission').insert(permissions.map((permission_id) => ({ role_id: id, permission_id })));
  }
  return id;
}

/** A system-less API key (no user) whose one role grants exactly `permissions`. */
export async function keyWith(
  db: Knex,
  permissions: readonly string[],
  options: { scopes?: string[] } = {},
): Promise<TestKey & { roleId: string }> {
  const roleId = await createRoleWith(db, permissions);
  const key = await createKey(db, { roleIds: [roleId], scopes: options.scopes ?? ['*'] });
  return { ...key, roleId };
}

/** A user holding `permissions` (through a custom role) and a key of theirs capped by them. */
export async function userWith(
  db: Knex,
  permissions: readonly string[],
  options: { scopes?: string[] } = {},
): Promise<{ userId: string; key: string; keyId: string; roleId: string }> {
  const roleId = await createRoleWith(db, permissions);
  const userId = await createUser(db, { roleIds: ['role_user', roleId] });
  const key = await createKey(db, {
    userId,
    roleIds: ['role_api_full_access'],
    scopes: options.scopes ?? ['*'],
  });
  return { userId, key: key.key, keyId: key.id, roleId };
}

export type RealtimeMode = 'in-process' | 'redis';

/** The HEIMDALL__* variables of a mode: no Redis (in-process broker), or Redis under a prefix of its own. */
export function modeVars(mode: RealtimeMode): Record<string, string> {
  return mode === 'redis'
    ? { HEIMDALL__REDIS__URL: TEST_REDIS_URL, HEIMDALL__REDIS__KEY_PREFIX: `${uniqueName('rt')}:` }
    : {};
}

/**
 * The same suite once per broker: in-process (always) and Redis (skipped without Redis outside CI, a failure
 * under CI=true, as describeWithRedis does).
 */
export function describeModes(name: string, suite: (mode: RealtimeMode) => void): void {
  describe(`${name} (in-process)`, () => suite('in-process'));
  describeWithRedis(`${name} (redis)`, () => suite('redis'));
}

/** A Payload{data} as publish() takes it. */
export const data = (text: string): PayloadInit => ({ data: Buffer.from(text) });
