import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build, stop, type Plugin } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { wire } from '../../proto/index.js';
import type * as Sdk from '../../sdk/realtime/browser.js';
import { describeWithBrowser, launchBrowser } from '../support/browser.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { client, createOAuthClient, relyingParty, useOidcPlatform } from '../support/oidc.js';
import { createRoleWith, waitUntil, wsUrl } from '../support/realtime.js';

/**
 * The realtime SDK in a browser: `sdk/realtime/browser.ts` bundles for the browser with nothing of Node's and
 * no `ws`, and that bundle, run in Chromium, follows the `audit` channel of a real platform with a Heimdall ID
 * access token, through a reconnect that asks for a fresh token and recovers what it missed.
 */

interface Bundle {
  code: string;
  /** The files bundled, relative to the repository. */
  inputs: string[];
  /** Node built-ins and ws the bundle would need: "<module> <- <importing file>". */
  nodeOnly: string[];
}

/** Bundles an entry for the browser as a script that sets `HeimdallRealtime`. */
async function bundleForBrowser(entry: string): Promise<Bundle> {
  const nodeOnly: string[] = [];
  const guard: Plugin = {
    name: 'node-only-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path) && args.path !== 'ws' && !args.path.startsWith('ws/')) return undefined;
        nodeOnly.push(`${args.path} <- ${path.relative(process.cwd(), args.importer)}`);
        // Left out rather than failing the build, so the test names every one of them.
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [path.resolve(entry)],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'HeimdallRealtime',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [guard],
  });
  return {
    code: result.outputFiles[0]!.text,
    inputs: Object.keys(result.metafile.inputs),
    nodeOnly,
  };
}

let browserBundle: Promise<Bundle> | undefined;
const sdkBundle = () => (browserBundle ??= bundleForBrowser('sdk/realtime/browser.ts'));

afterAll(() => stop());

describe('the realtime SDK bundled for a browser', () => {
  it('needs no Node built-in and no ws', async () => {
    const bundle = await sdkBundle();
    expect(bundle.nodeOnly).toEqual([]);
    expect(bundle.inputs.filter((input) => /(^|\/)node_modules\/ws\//.test(input))).toEqual([]);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['sdk/realtime/client.ts', 'proto/index.ts']));
  });

  it('would have caught the Node entry: it brings ws', async () => {
    expect((await bundleForBrowser('sdk/realtime/index.ts')).nodeOnly).toEqual([
      'ws <- sdk/realtime/index.ts',
    ]);
  });
});

/** What the page's client saw, kept on the page as `feed`. */
interface Feed {
  events: {
    offset: number;
    id: string;
    eventType: string;
    userId: string;
    sourceService: string;
    metadata: Record<string, unknown>;
  }[];
  connects: number;
  drops: number[];
  resyncs: number;
}

interface PageGlobals {
  HeimdallRealtime: typeof Sdk;
  heimdallToken(): Promise<string>;
  feed: Feed;
  client: Sdk.RealtimeClient;
}

describeWithBrowser('the realtime SDK in Chromium', () => {
  const t = useOidcPlatform({}, ['api', 'realtime']);
  let browser: Browser;
  let site: Server;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const { code } = await sdkBundle();
    // The page comes from a server of its own, as an admin panel would: another origin than Heimdall's.
    site = createServer((req, res) => {
      if (req.url === '/') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(
          '<!doctype html><title>audit feed</title><link rel="icon" href="data:,"><script src="/realtime.js"></script>',
        );
      } else if (req.url === '/realtime.js') {
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(code);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  it('follows the audit channel with an access token, and recovers what it missed while away', async () => {
    // A Heimdall ID access token (client credentials) granted audit:read, whose owner holds it.
    const reader = await createUser(t.db, {
      roleIds: ['role_user', await createRoleWith(t.db, ['audit:read'])],
    });
    const app = await createOAuthClient(t.db, {
      grantTypes: ['client_credentials'],
      scopes: ['audit:read'],
      ownerId: reader,
    });
    const rp = await relyingParty(t.url, app);
    // The page asks for its token on every (re)connect; while `held`, the answer waits.
    let tokensIssued = 0;
    let held: Promise<void> = Promise.resolve();
    let release: () => void = () => undefined;
    await page.exposeFunction('heimdallToken', async () => {
      await held;
      tokensIssued += 1;
      return (await client.clientCredentialsGrant(rp, { scope: 'audit:read' })).access_token;
    });

    const { port } = site.address() as AddressInfo;
    expect((await page.goto(`http://127.0.0.1:${port}/`))?.status()).toBe(200);
    await page.evaluate(async (url) => {
      const scope = globalThis as unknown as PageGlobals;
      const { RealtimeClient } = scope.HeimdallRealtime;
      const feed: Feed = { events: [], connects: 0, drops: [], resyncs: 0 };
      const client = new RealtimeClient({
        url,
        token: () => scope.heimdallToken(),
        client: 'browser-test',
        reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      });
      client.on('connected', () => (feed.connects += 1));
      client.on('disconnected', ({ code }) => feed.drops.push(code));
      Object.assign(scope, { feed, client });
      await client.connect();
      await client.subscribe('audit', {
        publication: ({ offset, payload }) => {
          const audit = payload.audit;
          feed.events.push({
            offset,
            id: audit?.id ?? '',
            eventType: audit?.eventType ?? '',
            userId: audit?.userId ?? '',
            sourceService: audit?.sourceService ?? '',
            metadata: JSON.parse(audit?.metadataJson || '{}') as Record<string, unknown>,
          });
        },
        resync: () => (feed.resyncs += 1),
      });
    }, wsUrl(t.url));

    const writer = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const record = async (command: string): Promise<string> => {
      const res = await call(t.url, 'POST', '/v1/audit', {
        key: writer,
        body: {
          event_type: 'bot_command_executed',
          source_service: 'discord_bot',
          user_id: '123456789012345678',
          metadata: { command },
        },
      });
      expect(res.status).toBe(201);
      return (res.body as { ids: string[] }).ids[0]!;
    };
    const feed = () => page.evaluate(() => (globalThis as unknown as PageGlobals).feed);
    const heard = async (id: string) => (await feed()).events.some((e) => e.id === id);

    const first = await record('ban');
    await waitUntil(() => heard(first), 'the first event in the page');

    // The connection drops; the next event is stored while the page is away.
    held = new Promise((resolve) => (release = resolve));
    await page.evaluate(() => {
      const { client } = globalThis as unknown as PageGlobals;
      (client as unknown as { socket: { close(): void } }).socket.close();
    });
    await waitUntil(async () => (await feed()).drops.length === 1, 'the page to notice the drop');
    const broker = t.platform.services.realtimeBroker;
    const before = (await broker.history('audit')).position;
    const second = await record('kick');
    await waitUntil(
      async () =>
        (await broker.history('audit', before)).publications.some(
          (p) => wire.Payload.decode(p.payload).audit?.id === second,
        ),
      'the second event in the history',
    );
    expect(await heard(second)).toBe(false);
    release();
    await waitUntil(() => heard(second), 'the second event in the page, recovered');
    // Anything delivered twice would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const seen = await feed();
    expect(tokensIssued).toBe(2);
    expect(seen).toMatchObject({ connects: 2, resyncs: 0 });
    const ours = seen.events.filter((e) => e.id === first || e.id === second);
    expect(ours).toEqual([
      expect.objectContaining({
        id: first,
        eventType: 'bot_command_executed',
        userId: '123456789012345678',
        sourceService: 'discord_bot',
        metadata: expect.objectContaining({ command: 'ban' }),
      }),
      expect.objectContaining({ id: second, metadata: expect.objectContaining({ command: 'kick' }) }),
    ]);
    const offsets = seen.events.map((e) => e.offset);
    expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
    await page.evaluate(() => (globalThis as unknown as PageGlobals).client.close());
    expect(problems).toEqual([]);
  }, 60_000);
});
