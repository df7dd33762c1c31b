import { describe, expect, it } from '@jest/globals';
import { Recovery, type ServerMessage } from '../../proto/index.js';
import type { PublicationEvent } from '../../sdk/realtime/index.js';
import { describeModes, data, keyWith, waitUntil, type RawClient } from '../support/realtime.js';
import { appChannel, gate, socketOf, text, useSingleNode } from './single-node.js';

/** The realtime service on one node, against both brokers (see single-node.ts): delivery and recovery. */
describeModes('realtime on one node', (mode) => {
  const { t, clients, url, publishAll } = useSingleNode(mode);

  describe('delivery and recovery', () => {
    it('delivers publications to a subscriber, in order', async () => {
      const channel = appChannel();
      const sub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:subscribe'])).key);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: PublicationEvent[] = [];
      await sub.subscribe(channel, { publication: (e) => got.push(e) });
      await publishAll(pub, channel, 1, 20);
      await waitUntil(() => got.length >= 20, '20 publications');
      expect(got.map((e) => [e.offset, text(e)])).toEqual(
        Array.from({ length: 20 }, (_, i) => [i + 1, `m${i + 1}`]),
      );
      expect(got.every((e) => e.channel === channel && e.timeMs > 0)).toBe(true);
    });

    it('a client that drops and reconnects receives every missed publication once, in order (SDK)', async () => {
      const channel = appChannel();
      const g = gate((await keyWith(t.db, ['realtime:subscribe'])).key);
      const sub = await clients.sdk(url(), g.token);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: PublicationEvent[] = [];
      const resyncs: unknown[] = [];
      await sub.subscribe(channel, { publication: (e) => got.push(e), resync: (p) => resyncs.push(p) });
      const reconnected = new Promise<void>((resolve) => sub.once('connected', () => resolve()));

      await publishAll(pub, channel, 1, 60);
      await waitUntil(() => got.length >= 60, 'the first 60 publications');
      g.close();
      const dropped = new Promise<void>((resolve) => sub.once('disconnected', () => resolve()));
      socketOf(sub).terminate();
      await dropped;
      // While it is away…
      await publishAll(pub, channel, 61, 140);
      g.open();
      // …while it comes back, and after.
      await publishAll(pub, channel, 141, 170);
      await reconnected;
      await publishAll(pub, channel, 171, 200);
      await waitUntil(() => got.length >= 200, '200 publications').catch((err: Error) => {
        throw new Error(
          `${err.message}; resyncs ${JSON.stringify(resyncs)} got ${JSON.stringify(got.map((e) => e.offset))}`,
        );
      });
      await sub.ping();
      expect(got.map((e) => e.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(got.map(text)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i + 1}`));
      expect(resyncs).toEqual([]);
      expect(sub.position(channel)?.offset).toBe(200);
    });

    it('on the wire: a resubscribe with `since` replays exactly what was missed, then goes live without overlap', async () => {
      const channel = appChannel();
      const subKey = (await keyWith(t.db, ['realtime:subscribe'])).key;
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const first = await clients.rawAuthed(url(), subKey);
      const subscribed = await first.request({ subscribe: { channel } });
      expect(subscribed.subscribed!.recovery).toBe(Recovery.RECOVERY_NONE);
      const epoch = subscribed.subscribed!.position!.epoch!;
      expect(epoch).not.toBe('');
      await publishAll(pub, channel, 1, 30);
      await first.waitFor(
        (m) => m.kind === 'publication' && Number(m.publication!.offset) === 30,
        'publication 30',
      );
      first.close();
      await publishAll(pub, channel, 31, 100);

      const second = await clients.rawAuthed(url(), subKey);
      // Publications keep coming while the server reads history for the resubscribe.
      const during = publishAll(pub, channel, 101, 150);
      const reply = await second.request({ subscribe: { channel, since: { epoch, offset: 30 } } });
      await during;
      const s = reply.subscribed!;
      // Up to 150, through the replay or live (how many of each depends on timing).
      await waitUntil(
        () =>
          Number(s.position!.offset) === 150 ||
          second.messages.some((m) => m.kind === 'publication' && Number(m.publication!.offset) === 150),
        'publication 150',
      );
      await second.request({ ping: {} });
      expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
      expect(s.position!.epoch).toBe(epoch);
      const replayed = s.publications!.map((p) => Number(p.offset));
      const top = Number(s.position!.offset);
      expect(replayed).toEqual(Array.from({ length: top - 30 }, (_, i) => 31 + i));
      const live = second.messages
        .filter((m) => m.kind === 'publication')
        .map((m) => Number(m.publication!.offset));
      expect([...replayed, ...live]).toEqual(Array.from({ length: 120 }, (_, i) => 31 + i));
      expect(s.publications!.map((p) => Buffer.from(p.payload!.data!).toString()).slice(0, 3)).toEqual([
        'm31',
        'm32',
        'm33',
      ]);
    });

    it('on the wire: resubscribes racing a stream of publications each see one contiguous sequence', async () => {
      const channel = appChannel();
      // One key each: max_connections_per_user is 2 here.
      const keys = await Promise.all(
        Array.from({ length: 30 }, async () => (await keyWith(t.db, ['realtime:subscribe'])).key),
      );
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const { epoch } = await pub.publish(channel, data('m1'));
      const subscribers: { since: number; client: RawClient; reply: Promise<ServerMessage> }[] = [];
      let confirmed = 1;
      for (let i = 2; i <= 150; i += 1) {
        const sent = pub.publish(channel, data(`m${i}`));
        if (i % 5 === 0) {
          const client = await clients.rawAuthed(url(), keys[subscribers.length]!);
          const since = Math.max(1, confirmed - 2);
          const reply = client.request({ subscribe: { channel, since: { epoch, offset: since } } });
          subscribers.push({ since, client, reply });
        }
        if (i % 10 === 0) confirmed = (await sent).offset;
      }
      await pub.ping();
      const offsetsOf = async ({ client, reply }: (typeof subscribers)[number]) => {
        const s = (await reply).subscribed!;
        expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
        const seen = () => [
          ...s.publications!.map((p) => Number(p.offset)),
          ...client.messages
            .filter((m) => m.kind === 'publication')
            .map((m) => Number(m.publication!.offset)),
        ];
        await waitUntil(() => seen().includes(150), 'publication 150');
        await client.request({ ping: {} });
        return seen();
      };
      for (const subscriber of subscribers) {
        const { since } = subscriber;
        expect({ since, offsets: await offsetsOf(subscriber) }).toEqual({
          since,
          offsets: Array.from({ length: 150 - since }, (_, i) => since + 1 + i),
        });
      }
    });

    it('history gone → the SDK is told to resync and carries on from the current position', async () => {
      const channel = appChannel();
      const g = gate((await keyWith(t.db, ['realtime:subscribe'])).key);
      const sub = await clients.sdk(url(), g.token);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: number[] = [];
      const resyncs: { epoch: string; offset: number }[] = [];
      await sub.subscribe(channel, {
        publication: (e) => got.push(e.offset),
        resync: (p) => resyncs.push(p),
      });
      await publishAll(pub, channel, 1, 5);
      await waitUntil(() => got.length >= 5, 'the first 5 publications');
      g.close();
      const dropped = new Promise<void>((resolve) => sub.once('disconnected', () => resolve()));
      socketOf(sub).terminate();
      await dropped;
      // More than history_size (150) while away.
      await publishAll(pub, channel, 6, 205);
      const reconnected = new Promise<void>((resolve) => sub.once('connected', () => resolve()));
      g.open();
      await reconnected;
      await waitUntil(() => resyncs.length === 1, 'the resync advice');
      expect(resyncs[0]!.offset).toBe(205);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      await publishAll(pub, channel, 206, 206);
      await waitUntil(() => got.length === 6, 'the next publication');
      expect(got[5]).toBe(206);
    });

    it('on the wire: trimmed history, an unknown epoch and an offset from the future get RECOVERY_RESYNC', async () => {
      const channel = appChannel();
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const first = await pub.publish(channel, data('m1'));
      await publishAll(pub, channel, 2, 200);
      const key = (await keyWith(t.db, ['realtime:subscribe'])).key;
      const cases = [
        { epoch: first.epoch, offset: 1 },
        { epoch: 'not-an-epoch', offset: 199 },
        { epoch: first.epoch, offset: 10_000 },
      ];
      for (const since of cases) {
        const c = await clients.rawAuthed(url(), key);
        const s = (await c.request({ subscribe: { channel, since } })).subscribed!;
        expect({ since, recovery: s.recovery }).toEqual({ since, recovery: Recovery.RECOVERY_RESYNC });
        expect(s.publications).toEqual([]);
        expect({ epoch: s.position!.epoch, offset: Number(s.position!.offset) }).toEqual({
          epoch: first.epoch,
          offset: 200,
        });
        c.close();
      }
      // Within history: recovered.
      const c = await clients.rawAuthed(url(), key);
      const s = (await c.request({ subscribe: { channel, since: { epoch: first.epoch, offset: 190 } } }))
        .subscribed!;
      expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
      expect(s.publications!.map((p) => Number(p.offset))).toEqual([
        191, 192, 193, 194, 195, 196, 197, 198, 199, 200,
      ]);
    });
  });
});
