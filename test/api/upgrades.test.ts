import { describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { useTestPlatform } from '../support/platform.js';

/** What a WebSocket handshake gets back: the HTTP status of a refusal, or 101 when the upgrade went through. */
function handshake(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('WebSocket upgrades', () => {
  describe('a process without the realtime role', () => {
    const t = useTestPlatform({}, ['api']);

    it('answers 404 to an upgrade on /ws and on unknown paths, instead of leaving the socket hanging', async () => {
      const base = t.url.replace(/^http/, 'ws');
      expect(await handshake(`${base}/ws`)).toBe(404);
      expect(await handshake(`${base}/nothing-here`)).toBe(404);
    });

    it('still upgrades GraphQL subscriptions', async () => {
      const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.terminate();
    });
  });

  describe('a realtime-only process', () => {
    const t = useTestPlatform({}, ['realtime']);

    it('serves /ws but neither the REST API nor GraphQL', async () => {
      const base = t.url.replace(/^http/, 'ws');
      expect(await handshake(`${base}/ws`)).toBe(101);
      expect(await handshake(`${base}/api/graphql`)).toBe(404);
      expect((await fetch(`${t.url}/v1/me`)).status).toBe(404);
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    });

    it('reports its connections and closes by code on /metrics', async () => {
      const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/ws`);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const open = await (await fetch(`${t.url}/metrics`)).text();
      expect(open).toMatch(/^heimdall_realtime_connections 1$/m);
      expect(open).toMatch(/^heimdall_realtime_channels 0$/m);
      await new Promise((resolve) => {
        socket.once('close', resolve);
        socket.close(4321);
      });
      const closed = await (await fetch(`${t.url}/metrics`)).text();
      expect(closed).toMatch(/^heimdall_realtime_connections 0$/m);
      expect(closed).toMatch(/^heimdall_realtime_closes\{code="4321"\} 1$/m);
    });
  });
});
