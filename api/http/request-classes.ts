import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Express } from 'express';

/**
 * Node's HTTP server, told to make each request and response with `app`'s Express prototypes from the start.
 *
 * Express gives every request and response its prototypes (`app.request`, `app.response`) by swapping them on the
 * objects Node made (`Object.setPrototypeOf` in `app.handle`). In V8 that swap made about a third of everything a
 * request allocates survive the young-generation GC and move to the old generation, even for a bare
 * `GET /health`: scavenges copied far more and paused the event loop longer, and the old generation filled up for
 * mark-compact pauses besides (figures in docs/performance.md).
 *
 * Here Node makes the objects from two subclasses of its own, whose prototypes sit in front of Express's, and the
 * app is pointed at those: Express's swap then finds the prototype already in place and changes nothing (V8
 * returns early), and request garbage dies young. Subclasses (not functions with Express's prototype) keep V8's
 * object layout for Node's constructors: objects built through a plain function got no in-object room for their
 * fields, and every request through Node's server got slower, oidc-provider's included. Code outside Express
 * (the provider endpoints' Koa, ws upgrades) sees the same `IncomingMessage` and `ServerResponse` as before.
 *
 * The one module that relies on Express internals: the app's `request`/`response` prototypes, and `app.handle`
 * setting them on every request and response (express/lib/application.js). Checked against express >=5.3.0
 * <6.0.0 (installed: 5.3.0); request-classes.test.ts fails when the installed Express leaves that range or stops
 * handing requests those prototypes.
 */
export const EXPRESS_CHECKED_FROM = '5.3.0';
export const EXPRESS_CHECKED_BELOW = '6.0.0';

export function expressServerOptions(app: Express): ServerOptions {
  class ExpressRequest extends IncomingMessage {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  app.request = ExpressRequest.prototype as unknown as Express['request'];
  class ExpressResponse extends ServerResponse {}
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.response = ExpressResponse.prototype as unknown as Express['response'];
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse as typeof ServerResponse };
}
