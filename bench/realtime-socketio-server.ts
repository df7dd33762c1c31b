import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

/**
 * The baseline of bench/realtime.ts, in a child process of its own so that its RSS is measured alone: a
 * Socket.IO 4 server with @socket.io/redis-adapter (ioredis pub/sub clients), every socket joining one room.
 * Publications come from @socket.io/redis-emitter in the bench process, through Redis, as Heimdall's do.
 * Defaults otherwise (no per-message deflate, no connection-state recovery), WebSocket transport only.
 * Env: PORT, BENCH_SIO_REDIS_URL, BENCH_SIO_KEY (the adapter's channel prefix), BENCH_SIO_ROOM.
 */
const port = Number(process.env.PORT);
const redisUrl = process.env.BENCH_SIO_REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = process.env.BENCH_SIO_KEY ?? 'socket.io';
const room = process.env.BENCH_SIO_ROOM ?? 'bench';

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  adapter: createAdapter(pub, sub, { key }),
});
io.on('connection', (socket) => {
  void socket.join(room);
});

http.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening' }));
const stop = () => {
  void io.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
