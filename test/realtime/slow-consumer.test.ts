import { expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { createKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { dataPayload, describeModes, modeVars, trackClients, waitUntil, wsUrl } from '../support/realtime.js';
import { uniqueName } from '../support/services.js';

/**
 * A client that stops reading is cut off (4001) once what waits for it exceeds max_queue_bytes, and the node
 * keeps nothing of it; a client reading at its own pace, on the same channel, is not affected.
 */
const MAX_QUEUE_BYTES = 64 * 1024;
/** Well under the queue limit: one publication alone never exceeds it. */
const CHUNK = 16 * 1024;
/**
 * Enough to fill the kernel's buffers on both ends of a loopback connection (send buffers grow to
 * net.ipv4.tcp_wmem's maximum, 4 MB by default; the paused reader's window stays small) and then the queue.
 */
const FLOOD_BYTES = 24 * 1024 * 1024;

describeModes('slow consumers', (mode) => {
  const t = useTestPlatform(
    {
      ...modeVars(mode),
      HEIMDALL__REALTIME__MAX_QUEUE_BYTES: String(MAX_QUEUE_BYTES),
      HEIMDALL__REALTIME__HISTORY_SIZE: '4',
    },
    ['api', 'realtime'],
  );
  const clients = trackClients();

  it('a client that stops reading is disconnected with 4001 and forgotten; a reading one is not', async () => {
    const channel = `app:${uniqueName('flood')}`;
    const key = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const slow = await clients.rawAuthed(wsUrl(t.url), key);
    const steady = await clients.rawAuthed(wsUrl(t.url), key);
    expect((await slow.request({ subscribe: { channel } })).kind).toBe('subscribed');
    expect((await steady.request({ subscribe: { channel } })).kind).toBe('subscribed');
    const before = t.platform.realtime!.stats();
    expect(before.subscribers).toBe(2);

    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const broker = t.platform.services.realtimeBroker;
    const payload = dataPayload(Buffer.alloc(CHUNK, 7));
    let published = 0;
    for (let sent = 0; sent < FLOOD_BYTES; sent += CHUNK) {
      await broker.publish(channel, payload);
      published += 1;
      // Let the node flush between publications: only the paused client falls behind.
      await new Promise((r) => setImmediate(r));
      // Cut off: the client has the close's grace period to read its backlog, so it resumes now rather than
      // after a flood that no longer reaches it (on a busy machine that could outlast the grace).
      if (t.platform.realtime!.stats().closing > 0) break;
    }
    (slow.ws as unknown as { _socket: Socket })._socket.resume();

    const closed = await slow.waitClosed(5000);
    expect(closed.code).toBe(4001);
    expect(slow.messages.find((m) => m.kind === 'disconnect')!.disconnect).toMatchObject({
      code: 4001,
      reconnect: true,
    });
    // It got a prefix of the publications, in order, then nothing more.
    const offsets = slow.messages
      .filter((m) => m.kind === 'publication')
      .map((m) => Number(m.publication!.offset));
    expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i + 1));
    expect(offsets.length).toBeLessThan(published);

    // The reader got everything; the node holds nothing more for the one that was cut off.
    await waitUntil(
      () => steady.messages.filter((m) => m.kind === 'publication').length === published,
      'every publication on the steady client',
      10_000,
    );
    expect(steady.closedWith).toBeUndefined();
    await waitUntil(
      () => t.platform.realtime!.stats().connections === before.connections - 1,
      'the slow connection to be gone',
    );
    expect(t.platform.realtime!.stats().subscribers).toBe(1);
  });

  it('a recovery replay larger than max_queue_bytes is delivered, not cut off (else the client would loop)', async () => {
    const channel = `app:${uniqueName('replay')}`;
    const key = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const broker = t.platform.services.realtimeBroker;
    const { epoch } = await broker.publish(channel, dataPayload('first'));
    // history_size (4) publications of 30 KB: 120 KB to replay, twice max_queue_bytes.
    for (let i = 0; i < 4; i += 1) await broker.publish(channel, dataPayload(Buffer.alloc(30_000, i)));
    const c = await clients.rawAuthed(wsUrl(t.url), key);
    const reply = await c.request({ subscribe: { channel, since: { epoch, offset: 1 } } });
    expect(reply.subscribed!.publications!.map((p) => Number(p.offset))).toEqual([2, 3, 4, 5]);
    expect((await c.request({ ping: {} })).kind).toBe('pong');
    expect(c.closedWith).toBeUndefined();
  });
});
