import protobuf from 'protobufjs/minimal.js';
import WebSocket from 'ws';
import { wire } from '../proto/index.js';

/**
 * The subscriber side of bench/realtime.ts, in a child process of its own (its fd limit raised by the parent):
 * opens `connections` raw `ws` clients to one system and counts what each receives, as cheaply as it can so the
 * same client costs apply to both systems.
 * - heimdall: the protobuf protocol of proto/heimdall/realtime/v1/realtime.proto (Authenticate + Subscribe in
 *   one frame, then publications: a frame holds one or more length-delimited ServerMessages).
 * - socketio: Engine.IO v4 / Socket.IO v5 over a WebSocket (`0{…}` open, `40` connect, `42[…]` events, `2`/`3`
 *   heartbeat), the server putting every socket in one room.
 * Every `sampleEvery`-th connection also reads the publish time out of each message for latency.
 *
 * Payload layout (both systems, ~100 bytes): Heimdall `data` bytes = padding, step (u8), publish time (f64 LE,
 * ms of the monotonic clock, process.hrtime, shared by every process on the machine); Socket.IO event
 * `42["m","<step char>|<time>|padding…"]`.
 */
export type ClientCommand =
  | {
      type: 'open';
      system: 'heimdall' | 'socketio';
      url: string;
      token?: string;
      channel?: string;
      connections: number;
      sampleEvery: number;
      concurrency: number;
    }
  | { type: 'step'; step: number }
  | { type: 'report' }
  | { type: 'close' };

export type ClientReply =
  | { type: 'opened'; open: number; failed: number; firstError?: string }
  | { type: 'stepped' }
  | {
      type: 'report';
      received: number;
      /** Monotonic ms of the last message of the current step. */
      lastAt: number;
      latencies: Float64Array;
      closed: number;
    };

const now = () => Number(process.hrtime.bigint()) / 1e6;
const send = (reply: ClientReply) => process.send!(reply);

let step = -1;
let received = 0;
let lastAt = 0;
let latencies: number[] = [];
let closed = 0;
const sockets: WebSocket[] = [];
// The step of a message: ASCII 'A' + step in Socket.IO events.
const STEP_CHAR = 65;
// Socket.IO event frame prefix `42["m","` before the step char.
const SIO_DATA_AT = 8;

/** Counts the publications of one Heimdall frame: walks the varint length prefixes, peeks at the payload tail. */
function heimdallFrame(data: Buffer, sampled: boolean): void {
  let pos = 0;
  let counted = 0;
  let t = 0;
  const length = data.length;
  while (pos < length) {
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = data[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    const end = pos + size;
    // ServerMessage field 5 (publication), length-delimited; the payload's data ends the message.
    if (data[pos] === 0x2a && data[end - 9] === step) {
      counted++;
      if (sampled) {
        if (t === 0) t = now();
        latencies.push(t - data.readDoubleLE(end - 8));
      }
    }
    pos = end;
  }
  if (counted > 0) {
    received += counted;
    lastAt = t || now();
  }
}

function openHeimdall(url: string, token: string, channel: string, sampled: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let subscribed = false;
    ws.on('open', () => {
      const frame = Buffer.concat([
        wire.ClientMessage.encodeDelimited({ id: 1, authenticate: { token, client: 'bench' } }).finish(),
        wire.ClientMessage.encodeDelimited({ id: 2, subscribe: { channel } }).finish(),
      ]);
      ws.send(frame);
    });
    ws.on('message', (data: Buffer) => {
      if (subscribed) return heimdallFrame(data, sampled);
      const reader = protobuf.Reader.create(data);
      while (reader.pos < reader.len) {
        const message = wire.ServerMessage.decodeDelimited(reader);
        if (message.error) {
          reject(new Error(`${message.error.code}: ${message.error.message}`));
          ws.terminate();
          return;
        }
        if (message.subscribed) {
          subscribed = true;
          resolve(ws);
          if (reader.pos < reader.len) heimdallFrame(data.subarray(reader.pos), sampled);
          return;
        }
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (!subscribed) reject(new Error(`closed ${code} before subscribing`));
      else closed++;
    });
  });
}

function openSocketIo(url: string, sampled: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let joined = false;
    ws.on('message', (data: Buffer) => {
      const type = data[0];
      // '4' message: '42' event, '40' connect.
      if (type === 0x34) {
        if (data[1] === 0x32) {
          if (data[SIO_DATA_AT] !== STEP_CHAR + step) return;
          received++;
          const t = now();
          lastAt = t;
          if (sampled) {
            const end = data.indexOf(0x7c, SIO_DATA_AT + 2);
            latencies.push(t - Number(data.toString('latin1', SIO_DATA_AT + 2, end)));
          }
        } else if (data[1] === 0x30) {
          joined = true;
          resolve(ws);
        } else if (data[1] === 0x34) {
          reject(new Error(`connect_error ${data.toString()}`));
        }
      } else if (type === 0x32) {
        ws.send('3');
      } else if (type === 0x30) {
        ws.send('40');
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (!joined) reject(new Error(`closed ${code} before joining`));
      else closed++;
    });
  });
}

async function open(command: Extract<ClientCommand, { type: 'open' }>): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < command.connections) {
      const index = next++;
      const sampled = index % command.sampleEvery === 0;
      try {
        sockets.push(
          await (command.system === 'heimdall'
            ? openHeimdall(command.url, command.token!, command.channel!, sampled)
            : openSocketIo(command.url, sampled)),
        );
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
  send({ type: 'opened', open: sockets.length, failed, firstError });
}

process.on('message', (command: ClientCommand) => {
  switch (command.type) {
    case 'open':
      void open(command);
      break;
    case 'step':
      step = command.step;
      received = 0;
      lastAt = 0;
      latencies = [];
      send({ type: 'stepped' });
      break;
    case 'report':
      send({ type: 'report', received, lastAt, latencies: Float64Array.from(latencies), closed });
      break;
    case 'close':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
