/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A real graphql-ws client; `next()` waits for the next event of a subscription. */
export function wsClient(httpUrl: string, key: string | undefined): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/api/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe(client: Client, query: string) {
  const events: any[] = [];
  const errors: any[] = [];
  let wake: (() => void) | undefined;
  const stop = client.subscribe(
    { query },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        else events.push(value.data);
        wake?.();
      },
      error: (err) => {
        // A list of GraphQL errors (refused operation), or a CloseEvent (refused connection).
        if (Array.isArray(err)) errors.push(...err);
        else errors.push(err);
        wake?.();
      },
      complete: () => wake?.(),
    },
  );
  const until = async (check: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
  };
  return { events, errors, stop, until };
}
