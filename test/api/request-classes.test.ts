import { once } from 'node:events';
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { expressServerOptions } from '../../api/http/request-classes.js';

// api/http/request-classes.ts: Node makes requests and responses with Express's prototypes, so that Express's own
// per-request prototype swap (which made request garbage outlive the young-generation GC) has nothing to change.
describe('HTTP server made with expressServerOptions', () => {
  const app = express();
  app.use(express.json());
  app.get('/echo', (req, res) => {
    res
      .status(201)
      .set('x-seen', req.get('x-test') ?? '')
      .json({ query: req.query, path: req.path });
  });
  app.post('/body', (req, res) => res.json({ got: req.body as unknown }));
  app.get('/away', (_req, res) => res.redirect(303, '/echo'));
  let server: Server;
  let base: string;
  /** Each request's and response's prototype as Node made them, before Express saw them. */
  const made: { req: object | null; res: object | null; reqIs: boolean; resIs: boolean; app: unknown }[] = [];

  beforeAll(async () => {
    server = createServer(expressServerOptions(app), app);
    server.prependListener('request', (req, res) => {
      made.push({
        req: Object.getPrototypeOf(req) as object | null,
        res: Object.getPrototypeOf(res) as object | null,
        reqIs: req instanceof IncomingMessage,
        resIs: res instanceof ServerResponse,
        app: (req as { app?: unknown }).app,
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("makes every request and response with the app's prototypes, still Node's IncomingMessage and ServerResponse", async () => {
    made.length = 0;
    // Several requests on one keep-alive connection, and one on a fresh connection.
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${base}/echo`)).status).toBe(201);
    await fetch(`${base}/echo`, { headers: { connection: 'close' } });
    expect(made).toHaveLength(4);
    for (const m of made) {
      expect(m.req).toBe(app.request);
      expect(m.res).toBe(app.response);
      expect(m.reqIs).toBe(true);
      expect(m.resIs).toBe(true);
      expect(m.app).toBe(app); // Express's own prototype (it carries `app`) is still behind
    }
  });

  it('leaves Express as it was: request helpers, query, status, headers, JSON bodies, redirects', async () => {
    const res = await fetch(`${base}/echo?a=1&b=two`, { headers: { 'x-test': 'hello' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('hello');
    expect(await res.json()).toEqual({ query: { a: '1', b: 'two' }, path: '/echo' });

    const posted = await fetch(`${base}/body`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 42 }),
    });
    expect(await posted.json()).toEqual({ got: { n: 42 } });

    const away = await fetch(`${base}/away`, { redirect: 'manual' });
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/echo');
  });

  it('serves requests outside Express (as the provider endpoints are) with the same objects', async () => {
    const plain = createServer(expressServerOptions(app), (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} ${req.headers.host ? 'with host' : 'no host'}`);
    });
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/token?x=1`);
      expect(await res.text()).toBe('GET /token?x=1 with host');
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
