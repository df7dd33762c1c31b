import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket, WebSocketServer } from 'ws';
import { installedVersion, withinRange } from '../test/support/installed.js';
import { wsFrame } from './frames.js';
import { WS_CHECKED_BELOW, WS_CHECKED_FROM, writeFrame } from './ws-internals.js';

/** Fails on a ws upgrade that moves what ws-internals.ts reaches into: re-check it, then move the range. */
describe('ws internals', () => {
  let server: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('the installed ws is within the checked range', () => {
    expect(withinRange(installedVersion('ws'), WS_CHECKED_FROM, WS_CHECKED_BELOW)).toBe(true);
  });

  it('a server socket has _sender.sendFrame(list, cb), and a frame written with it arrives whole', async () => {
    const accepted = once(server, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(url);
    const [socket] = await accepted;
    await once(client, 'open');
    const sender = (socket as unknown as { _sender?: { sendFrame?: unknown } })._sender;
    expect(typeof sender?.sendFrame).toBe('function');
    expect((sender!.sendFrame as (...args: unknown[]) => void).length).toBe(2);

    const small = Buffer.from('heimdall');
    const large = Buffer.alloc(70_000, 7);
    const received: Buffer[] = [];
    const both = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        received.push(data);
        if (received.length === 2) resolve();
      }),
    );
    writeFrame(socket, wsFrame([small], small.length));
    writeFrame(socket, wsFrame([large], large.length));
    await both;
    expect(received[0]!.equals(small)).toBe(true);
    expect(received[1]!.equals(large)).toBe(true);
    client.close();
    await once(client, 'close');
  });
});
