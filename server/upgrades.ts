import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The one 'upgrade' listener of the HTTP server: WebSocket services (GraphQL subscriptions, realtime) each own
 * a path; any other path gets a plain 404 instead of a socket left hanging.
 */
export function routeUpgrades(server: Server, routes: ReadonlyMap<string, UpgradeHandler>): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const handler = routes.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (handler) return handler(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  server.on('upgrade', onUpgrade);
  return () => void server.off('upgrade', onUpgrade);
}
