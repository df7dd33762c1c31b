import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { installedVersion, withinRange } from '../../test/support/installed.js';
import { EXPRESS_CHECKED_BELOW, EXPRESS_CHECKED_FROM } from './request-classes.js';

/**
 * Fails on an Express upgrade that moves what request-classes.ts relies on: re-check it, then move the range.
 * (test/api/request-classes.test.ts covers the server the module makes.)
 */
describe('Express internals', () => {
  const app = express();
  const seen: { req: object | null; res: object | null }[] = [];
  app.get('/', (req, res) => {
    seen.push({ req: Object.getPrototypeOf(req) as object, res: Object.getPrototypeOf(res) as object });
    res.end();
  });
  let server: Server;

  beforeAll(async () => {
    // A plain Node server: Express itself must give the request and response the app's prototypes.
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the installed express is within the checked range', () => {
    expect(withinRange(installedVersion('express'), EXPRESS_CHECKED_FROM, EXPRESS_CHECKED_BELOW)).toBe(true);
  });

  it('an app has request and response prototypes, and handles requests with exactly those', async () => {
    expect(typeof app.request).toBe('object');
    expect(typeof app.response).toBe('object');
    const port = (server.address() as AddressInfo).port;
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.req).toBe(app.request);
    expect(seen[0]!.res).toBe(app.response);
  });
});
