/**
 * WebSocket close codes of the realtime protocol (documented in proto/…/realtime.proto and docs/realtime.md).
 * 4000–4099 ask the client to reconnect and recover; 4400–4499 mean reconnecting as before will not help.
 */
export const CLOSE = {
  shutdown: { code: 4000, reason: 'server shutting down', reconnect: true },
  slowConsumer: { code: 4001, reason: 'slow consumer', reconnect: true },
  noHeartbeat: { code: 4002, reason: 'no heartbeat', reconnect: true },
  insufficientState: { code: 4004, reason: 'insufficient state', reconnect: true },
  protocolError: { code: 4400, reason: 'protocol error', reconnect: false },
  notAuthenticated: { code: 4401, reason: 'not authenticated', reconnect: false },
  forbidden: { code: 4403, reason: 'forbidden', reconnect: false },
  tooManyConnections: { code: 4429, reason: 'too many connections', reconnect: true },
  frameTooLarge: { code: 1009, reason: 'frame too large', reconnect: false },
} as const;

export type CloseReason = (typeof CLOSE)[keyof typeof CLOSE];
