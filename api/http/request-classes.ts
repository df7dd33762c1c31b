import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Express } from 'express';

/**
 * Node's HTTP server, told to make each request and response with Express's prototypes (`app.request`,
 * `app.response`) from the start.
 *
 * Express gives every request and response those prototypes by swapping them on the objects Node made
 * (`Object.setPrototypeOf` in `app.handle`). In V8 that swap makes about a third of everything a request allocates
 * survive the young-generation GC and move to the old generation, even a bare `GET /health`: scavenges then copy
 * megabytes and pause the event loop for 2–8 ms instead of 0.3 ms, and the old generation fills up for
 * mark-compact pauses besides (measured with `--trace-gc-nvp`; docs/oidc.md). With the prototypes already in
 * place Express's swap changes nothing (V8 returns early when the prototype is the same) and request garbage dies
 * young. Objects still inherit from `IncomingMessage` and `ServerResponse`, so code outside Express (oidc-provider's
 * Koa, ws upgrades) sees what it always did.
 */
export function expressServerOptions(app: Express): ServerOptions {
  // Reflect.construct makes the object with `prototype` as given here, whether Node's constructors are classes or
  // functions.
  function ExpressRequest(this: unknown, ...args: unknown[]) {
    return Reflect.construct(IncomingMessage, args, ExpressRequest) as IncomingMessage;
  }
  ExpressRequest.prototype = app.request;
  function ExpressResponse(this: unknown, ...args: unknown[]) {
    return Reflect.construct(ServerResponse, args, ExpressResponse) as ServerResponse;
  }
  ExpressResponse.prototype = app.response;
  return {
    IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage,
    ServerResponse: ExpressResponse as unknown as typeof ServerResponse,
  };
}
