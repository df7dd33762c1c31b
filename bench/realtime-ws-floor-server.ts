import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { wire } from '../proto/index.js';

/**
 * The floor of bench/realtime.ts: the least a Node.js fan-out over `ws` can do with the same clients, in a child
 * process of its own. No authentication, no history, no queue: the first client frame is answered with a
 * Subscribed, and every message of one Redis pub/sub channel (already an encoded, delimited
 * ServerMessage{publication}) is sent as is to every socket, one ws.send each.
 * Env: PORT, BENCH_FLOOR_REDIS_URL, BENCH_FLOOR_CHANNEL.
 */
const port = Number(process.env.PORT);
const redis = new Redis(process.env.BENCH_FLOOR_REDIS_URL ?? 'redis://127.0.0.1:6379');
const channel = process.env.BENCH_FLOOR_CHANNEL ?? 'bench-floor';
const sockets = new Set<WebSocket>();
const subscribed = wire.ServerMessage.encodeDelimited({
  id: 2,
  subscribed: { channel: 'app:bench' },
}).finish();

const http = createServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  ws.once('message', () => {
    ws.send(subscribed);
    sockets.add(ws);
  });
  ws.on('close', () => sockets.delete(ws));
  ws.on('error', () => undefined);
});
redis.on('messageBuffer', (_name: Buffer, message: Buffer) => {
  for (const ws of sockets) ws.send(message, { binary: true });
});
await redis.subscribe(channel);
http.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening' }));
const stop = () => {
  redis.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
