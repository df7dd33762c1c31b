import protobuf from 'protobufjs/minimal.js';
import { wire, type ClientMessage, type ServerMessageInit } from '../proto/index.js';
import type { Position, StoredPublication } from './broker/broker.js';

/**
 * Encoding and decoding of frames (proto/…/realtime.proto): a frame is one or more length-delimited messages.
 * A publication is encoded once per node and the same bytes go to every subscriber, its payload copied
 * as stored (already an encoded Payload), never decoded.
 */
const { Writer, Reader } = protobuf;

// Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited).
const SERVER_PUBLICATION = (5 << 3) | 2;
const SUBSCRIBED = (3 << 3) | 2;
const SUBSCRIBED_PUBLICATION = (3 << 3) | 2;
const PUB_CHANNEL = (1 << 3) | 2;
const PUB_OFFSET = 2 << 3;
const PUB_TIME = 3 << 3;
const PUB_PAYLOAD = (4 << 3) | 2;

function writePublication(w: protobuf.Writer, publication: StoredPublication): void {
  w.uint32(PUB_CHANNEL).string(publication.channel);
  w.uint32(PUB_OFFSET).uint64(publication.offset);
  w.uint32(PUB_TIME).int64(publication.timeMs);
  w.uint32(PUB_PAYLOAD).bytes(publication.payload);
}

/** A delimited ServerMessage{publication}. */
export function publicationFrame(publication: StoredPublication): Uint8Array {
  const w = Writer.create();
  w.fork();
  w.uint32(SERVER_PUBLICATION).fork();
  writePublication(w, publication);
  w.ldelim();
  w.ldelim();
  return w.finish();
}

/** A delimited ServerMessage. */
export const serverFrame = (message: ServerMessageInit): Uint8Array =>
  wire.ServerMessage.encodeDelimited(wire.ServerMessage.create(message)).finish();

/** A delimited ServerMessage{subscribed} whose replayed publications keep their stored payload bytes. */
export function subscribedFrame(
  id: number,
  channel: string,
  position: Position,
  recovery: number,
  publications: readonly StoredPublication[],
): Uint8Array {
  const w = Writer.create();
  w.fork();
  if (id) w.uint32(1 << 3).uint32(id);
  w.uint32(SUBSCRIBED).fork();
  wire.Subscribed.encode({ channel, position, recovery }, w);
  for (const publication of publications) {
    w.uint32(SUBSCRIBED_PUBLICATION).fork();
    writePublication(w, publication);
    w.ldelim();
  }
  w.ldelim();
  w.ldelim();
  return w.finish();
}

/** The messages of one client frame; throws on anything that is not a sequence of delimited ClientMessages. */
export function decodeClientFrame(data: Uint8Array): ClientMessage[] {
  const reader = Reader.create(data);
  const messages: ClientMessage[] = [];
  while (reader.pos < reader.len) messages.push(wire.ClientMessage.decodeDelimited(reader));
  if (messages.length === 0) throw new Error('empty frame');
  return messages;
}

/**
 * A complete binary WebSocket frame (RFC 6455 §5.2: FIN, opcode 2, unmasked as server frames are) holding
 * `parts` one after another. Built once, the same bytes can go to any number of sockets.
 */
export function wsFrame(parts: readonly Uint8Array[], bytes: number): Buffer {
  const header = bytes < 126 ? 2 : bytes < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + bytes);
  frame[0] = 0x82;
  if (header === 2) {
    frame[1] = bytes;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(bytes, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(bytes / 0x100000000), 2);
    frame.writeUInt32BE(bytes >>> 0, 6);
  }
  let at = header;
  for (const part of parts) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}
