import { afterEach, describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs/minimal.js';
import { wire, type ClientMessage, type ServerMessageInit } from '../../proto/index.js';
import { RealtimeClient } from './client.js';
import type { WebSocketLike } from './types.js';

/**
 * The client over a standard WebSocket that is not ws (a browser's): binary frames as ArrayBuffers, no
 * terminate(), and a close() whose close event comes later, if ever.
 */
class StandardSocket implements WebSocketLike {
  static made: StandardSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  readonly sent: ClientMessage[] = [];
  closedWith: number | undefined;
  private readonly listeners = new Map<string, ((event: never) => void)[]>();

  constructor(readonly url: string) {
    StandardSocket.made.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.fire('open', {});
    });
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: Uint8Array): void {
    const reader = protobuf.Reader.create(data);
    while (reader.pos < reader.len) this.sent.push(wire.ClientMessage.decodeDelimited(reader));
  }

  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 2;
    setTimeout(() => {
      this.readyState = 3;
      this.fire('close', { code: this.closedWith, reason: '' });
    });
  }

  /** A server frame, as a browser hands it over with binaryType 'arraybuffer'. */
  receive(message: NonNullable<ServerMessageInit>): void {
    const bytes = wire.ServerMessage.encodeDelimited(wire.ServerMessage.create(message)).finish();
    // A copy: in Node, protobufjs encodes into a view of a shared pool.
    this.fire('message', { data: new Uint8Array(bytes).buffer });
  }

  fire(type: string, event: object): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as never);
  }

  /** Answers the Authenticate it was sent. */
  async accept(): Promise<void> {
    await until(() => this.sent.some((m) => m.authenticate));
    const request = this.sent.find((m) => m.authenticate)!;
    this.receive({ id: request.id, connected: { connectionId: 'c', userId: 'u', node: 'n' } });
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('RealtimeClient over a standard WebSocket', () => {
  const clients: RealtimeClient[] = [];
  const globals = globalThis as { WebSocket?: unknown };
  const nodeWebSocket = globals.WebSocket;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    StandardSocket.made = [];
    globals.WebSocket = nodeWebSocket;
  });

  it("uses the environment's WebSocket by default and asks for ArrayBuffers", async () => {
    globals.WebSocket = StandardSocket;
    const client = new RealtimeClient({ url: 'ws://heimdall.test/ws', token: async () => 'hm_key' });
    clients.push(client);
    const connected = client.connect();
    await until(() => StandardSocket.made.length === 1);
    const socket = StandardSocket.made[0]!;
    await socket.accept();
    await connected;
    expect(socket.url).toBe('ws://heimdall.test/ws');
    expect(socket.binaryType).toBe('arraybuffer');
    expect(socket.sent[0]?.authenticate).toMatchObject({ token: 'hm_key', client: 'heimdall-sdk-ts' });
  });

  it('gives up at once on a socket that sends a text frame, and reconnects with a new one', async () => {
    const client = new RealtimeClient({
      url: 'ws://heimdall.test/ws',
      token: 'hm_key',
      WebSocket: StandardSocket,
      reconnect: { minDelayMs: 1, maxDelayMs: 5 },
    });
    clients.push(client);
    const errors: string[] = [];
    const drops: { code: number; willReconnect: boolean }[] = [];
    client.on('error', (err) => errors.push((err as { code?: string }).code ?? err.message));
    client.on('disconnected', ({ code, willReconnect }) => drops.push({ code, willReconnect }));
    const connected = client.connect();
    await until(() => StandardSocket.made.length === 1);
    await StandardSocket.made[0]!.accept();
    await connected;

    StandardSocket.made[0]!.fire('message', { data: 'not binary' });
    expect(errors).toEqual(['realtime.bad_frame']);
    expect(StandardSocket.made[0]!.closedWith).toBe(1005);
    // The client did not wait for the close event: it moved on, and ignores that socket from now on.
    expect(drops).toEqual([{ code: 1006, willReconnect: true }]);
    await until(() => StandardSocket.made.length === 2);
    await StandardSocket.made[1]!.accept();
    await until(() => client.state === 'connected');
    expect(drops).toHaveLength(1);
  });
});
