import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Server time of requests to a server in this process, read at the server: from Node's `http.server.request.start`
 * (the request's head has been parsed; Heimdall's own handling has not begun) to `http.server.response.finish`
 * (the last byte of the answer has been handed to the socket). What the client does before and after (connecting,
 * writing the request, reading and parsing the answer) is left out. A request is told apart by the `x-bench-sample`
 * header its sender gave it.
 */
export const SAMPLE_HEADER = 'x-bench-sample';

interface Message {
  request: IncomingMessage;
  response: ServerResponse;
}

export interface ServerTimer {
  /** The server time of sample `id` in ms, once its answer has gone out (then forgotten). */
  take(id: string): number | undefined;
  close(): void;
}

export function watchServerTime(): ServerTimer {
  const started = new WeakMap<IncomingMessage, bigint>();
  const finished = new Map<string, number>();
  const onStart = (message: unknown) => {
    const { request } = message as Message;
    if (request.headers[SAMPLE_HEADER]) started.set(request, process.hrtime.bigint());
  };
  const onFinish = (message: unknown) => {
    const { request } = message as Message;
    const t0 = started.get(request);
    const id = request.headers[SAMPLE_HEADER];
    if (t0 === undefined || typeof id !== 'string') return;
    finished.set(id, Number(process.hrtime.bigint() - t0) / 1e6);
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    take(id) {
      const ms = finished.get(id);
      finished.delete(id);
      return ms;
    },
    close() {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
