import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { installedVersion, withinRange } from '../test/support/installed.js';
import { CONTEXT_CHECKED, releaseContextWhenDone } from './release-context.js';

/**
 * A real oidc-provider over HTTP, with the release in front of its routes (as oidc/provider.ts mounts it) and a
 * probe in front of that, which keeps the request's context to look at after the response.
 */
describe('releaseContextWhenDone', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function start(inner?: (ctx: KoaContextWithOIDC) => Promise<void>) {
    const seen: KoaContextWithOIDC[] = [];
    const errors: unknown[] = [];
    const provider = new Provider('http://127.0.0.1/oidc', {
      clients: [{ client_id: 'app', client_secret: 'secret', redirect_uris: ['http://127.0.0.1/cb'] }],
      features: { devInteractions: { enabled: false } },
    });
    // What the discovery route's error handler catches.
    provider.on('server_error', (_ctx: unknown, err: unknown) => errors.push(err));
    provider.on('discovery.error', (_ctx: unknown, err: unknown) => errors.push(err));
    provider.use(async (ctx, next) => {
      seen.push(ctx as KoaContextWithOIDC);
      await next();
    });
    provider.use(releaseContextWhenDone);
    if (inner)
      provider.use(async (ctx, next) => {
        await inner(ctx as KoaContextWithOIDC);
        await next();
      });
    const callback = provider.callback();
    server = createServer((req, res) => void callback(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, seen, errors };
  }

  const released = (ctx: KoaContextWithOIDC) => ctx.req === undefined && ctx.request === undefined;
  async function until(check: () => boolean, what: string) {
    const deadline = Date.now() + 2000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('the installed oidc-provider and koa are within the checked ranges', () => {
    for (const [pkg, { from, below }] of Object.entries(CONTEXT_CHECKED)) {
      expect({ pkg, within: withinRange(installedVersion(pkg), from, below) }).toEqual({ pkg, within: true });
    }
  });

  it("oidc-provider gives the context's `oidc` as a getter of the context itself", async () => {
    const { port, seen } = await start();
    expect((await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).status).toBe(200);
    const descriptor = Object.getOwnPropertyDescriptor(seen[0]!, 'oidc');
    expect(typeof descriptor?.get).toBe('function');
    expect(descriptor?.configurable).toBe(false);
  });

  it('empties the context and its OIDC context once the response is out, after the body was sent whole', async () => {
    const { port, seen } = await start();
    const res = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ issuer: 'http://127.0.0.1/oidc' });

    const ctx = seen[0]!;
    await until(() => released(ctx), 'the context is released');
    expect(ctx.res).toBeUndefined();
    expect(ctx.state).toBeUndefined();
    // `oidc` stays (it cannot be redefined), as an empty shell.
    expect(ctx.oidc).toBeDefined();
    expect((ctx.oidc as unknown as { ctx?: unknown }).ctx).toBeUndefined();
    expect(ctx.oidc.entities).toBeUndefined();
  });

  it('leaves a context alone while the provider still works on it, though the client has gone', async () => {
    let proceed!: () => void;
    const held = new Promise<void>((resolve) => (proceed = resolve));
    let stillThere: boolean | undefined;
    const { port, seen, errors } = await start(async (ctx) => {
      await held;
      stillThere = !released(ctx);
    });

    const req = request({ port, host: '127.0.0.1', path: '/.well-known/openid-configuration' });
    req.on('error', () => undefined);
    req.end();
    await until(() => seen.length === 1, 'the request arrives');
    const ctx = seen[0]!;
    const closed = new Promise((resolve) => ctx.res.once('close', resolve));
    req.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released(ctx)).toBe(false);

    proceed();
    await until(() => stillThere !== undefined, 'the provider finishes');
    expect(stillThere).toBe(true);
    await until(() => released(ctx), 'the context is released');
    // The provider's discovery route ran on the whole context after the wait.
    expect(errors).toEqual([]);
    expect(ctx.oidc).toBeDefined();
  });

  it('releases a request the provider has no route for too, without giving it an OIDC context', async () => {
    const { port, seen } = await start();
    const res = await fetch(`http://127.0.0.1:${port}/nothing-here`);
    expect(res.status).toBe(404);
    const ctx = seen[0]!;
    await until(() => released(ctx), 'the context is released');
    // No route: oidc-provider never defined `ctx.oidc` on it.
    expect(ctx.oidc).toBeUndefined();
  });
});
