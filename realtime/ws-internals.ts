import type { WebSocket } from 'ws';

/**
 * The one module that reaches into ws: a socket's frame writer, `socket._sender.sendFrame(list, cb)`
 * (ws/lib/sender.js), which writes already-framed bytes to the TCP socket. Checked against ws >=8.0.0 <9.0.0
 * (installed: 8.23.0); ws-internals.test.ts fails when the installed ws leaves that range or the writer changes.
 *
 * Why not `socket.send`: a publication is framed once (frames.ts wsFrame) and the same bytes go to thousands of
 * sockets, where `send` would frame (and copy) it again for each. Safe because permessage-deflate is off
 * (realtime/server.ts): ws's sender then never queues, so bypassing it cannot reorder frames.
 */
export const WS_CHECKED_FROM = '8.0.0';
export const WS_CHECKED_BELOW = '9.0.0';

type FrameWriter = { _sender: { sendFrame(list: Buffer[], cb?: () => void): void } };

/** Writes one complete WebSocket frame (frames.ts wsFrame) to the socket as it is. */
export function writeFrame(socket: WebSocket, frame: Buffer): void {
  (socket as unknown as FrameWriter)._sender.sendFrame([frame]);
}
