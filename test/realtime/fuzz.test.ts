import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs/minimal.js';
import { wire, type ClientMessage, type ClientMessageInit } from '../../proto/index.js';
import type { PublicationEvent } from '../../sdk/realtime/index.js';
import { call, createKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { clientFrame, data, RawClient, trackClients, waitUntil, wsUrl } from '../support/realtime.js';

/**
 * Fuzzing the realtime wire ("thousands of random and mutated frames: the server never crashes and
 * always answers with a protocol error"). Frames are random bytes or valid ClientMessage frames with bit flips,
 * truncations, insertions, wrong or huge length prefixes, deep nesting and oversized bodies, each sent on its own
 * connection (most authenticated, some not). The oracle decodes each frame as the contract defines it (a
 * non-empty sequence of length-delimited ClientMessages):
 * - malformed → Error realtime.bad_frame, then close 4400;
 * - too large → Error realtime.frame_too_large then 1009 (or 1009 alone far above the limit);
 * - well-formed → a reply (or refusal) for each message, or a close with its Error; never silence.
 * Reproduce a failure with HEIMDALL_FUZZ_SEED=<seed printed in the failure>.
 */
const SEED = Number(process.env.HEIMDALL_FUZZ_SEED ?? 0x5eed_2026);
const CASES = Number(process.env.HEIMDALL_FUZZ_CASES ?? 3000);
const CONCURRENCY = 24;
const MAX_FRAME_BYTES = 65536;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = ReturnType<typeof mulberry32>;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const randomBytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => int(rng, 256));
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const delimited = (body: Uint8Array | number[]) => Uint8Array.from([...varint(body.length), ...body]);

/** Valid messages to start from. */
function validMessage(rng: Rng): NonNullable<ClientMessageInit> {
  const id = int(rng, 1000);
  switch (int(rng, 6)) {
    case 0:
      return { id, ping: {} };
    case 1:
      return {
        id,
        subscribe: { channel: pick(rng, ['app:fuzz', 'audit', 'gps', 'user:x', 'bot:discord:1']) },
      };
    case 2:
      return { id, subscribe: { channel: 'app:fuzz', since: { epoch: 'e', offset: int(rng, 1 << 30) } } };
    case 3:
      return { id, unsubscribe: { channel: 'app:fuzz' } };
    case 4:
      return { id, publish: { channel: 'app:fuzz', payload: { data: randomBytes(rng, int(rng, 64)) } } };
    default:
      return {
        id,
        publish: {
          channel: 'gps',
          payload: { gps: { id: 'p', operation: 'create', latitude: rng() * 90, longitude: rng() * 180 } },
        },
      };
  }
}

function validFrame(rng: Rng): Uint8Array {
  const count = 1 + int(rng, 3);
  return Buffer.concat(Array.from({ length: count }, () => clientFrame(validMessage(rng))));
}

interface Case {
  name: string;
  frame: Uint8Array | string;
  authenticated: boolean;
}

/** One fuzz case: its frame and how it was made (for the failure message). */
function makeCase(rng: Rng, index: number): Case {
  const authenticated = rng() < 0.85;
  const base = validFrame(rng);
  const roll = int(rng, 100);
  let name: string;
  let frame: Uint8Array | string;
  if (roll < 15) {
    name = 'random bytes';
    frame = randomBytes(rng, 1 + int(rng, 300));
  } else if (roll < 35) {
    name = 'bit flips';
    const f = Uint8Array.from(base);
    for (let i = 0, n = 1 + int(rng, 6); i < n; i += 1) f[int(rng, f.length)]! ^= 1 << int(rng, 8);
    frame = f;
  } else if (roll < 47) {
    name = 'truncated';
    frame = base.subarray(0, int(rng, base.length));
  } else if (roll < 59) {
    name = 'inserted bytes';
    const at = int(rng, base.length + 1);
    frame = Buffer.concat([base.subarray(0, at), randomBytes(rng, 1 + int(rng, 8)), base.subarray(at)]);
  } else if (roll < 69) {
    name = 'wrong length prefix';
    const body = wire.ClientMessage.encode(wire.ClientMessage.create(validMessage(rng))).finish();
    const length = Math.max(0, body.length + pick(rng, [-3, -2, -1, 1, 2, 5, 100, 1 << 20]));
    frame = Uint8Array.from([...varint(length), ...body]);
  } else if (roll < 75) {
    name = 'huge varint';
    const huge = pick(rng, [
      [0xff, 0xff, 0xff, 0xff, 0x0f],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      Array.from({ length: 12 }, () => 0xff),
    ]);
    frame =
      rng() < 0.5
        ? Uint8Array.from([...huge, ...base])
        : Uint8Array.from([...base.subarray(0, 1), 0x08, ...huge]);
  } else if (roll < 82) {
    name = 'deep nesting';
    const depth = 1 + int(rng, 20_000);
    // Nested groups of an unknown field (15): skipped recursively by the decoder.
    const start = 0x7b;
    const end = 0x7c;
    const balanced = rng() < 0.5;
    const body = [...Array(depth).fill(start), ...(balanced ? Array(depth).fill(end) : [])];
    frame = delimited(body);
  } else if (roll < 86) {
    name = 'nested length-delimited garbage';
    // subscribe{ since{ garbage } } with inner lengths that may lie.
    const inner = randomBytes(rng, int(rng, 20));
    const since = [0x12, ...varint(inner.length + int(rng, 3)), ...inner];
    frame = delimited([0x1a, ...varint(since.length), ...since]);
  } else if (roll < 89) {
    name = 'no kind';
    frame = clientFrame({ id: int(rng, 100) });
  } else if (roll < 91) {
    name = 'empty';
    frame = new Uint8Array(0);
  } else if (roll < 94) {
    name = 'text frame';
    frame = pick(rng, ['{"ping":{}}', 'hello', '\u{1F600}', ' ']);
  } else if (roll < 96) {
    name = 'too large';
    frame = Buffer.concat([
      base,
      randomBytes(rng, MAX_FRAME_BYTES + 1 - base.length + int(rng, MAX_FRAME_BYTES)),
    ]);
  } else if (roll < 97) {
    name = 'far too large';
    frame = new Uint8Array(MAX_FRAME_BYTES * 4 + 1 + int(rng, 1000));
  } else {
    name = 'valid';
    frame = base;
  }
  return { name: `#${index} ${name}`, frame, authenticated };
}

/** The contract's reading of a binary frame: its messages, or undefined when it is malformed. */
function decode(frame: Uint8Array): ClientMessage[] | undefined {
  try {
    const reader = protobuf.Reader.create(frame);
    const messages: ClientMessage[] = [];
    while (reader.pos < reader.len) messages.push(wire.ClientMessage.decodeDelimited(reader));
    return messages.length > 0 ? messages : undefined;
  } catch {
    return undefined;
  }
}

describe('realtime wire fuzzing', () => {
  const t = useTestPlatform(
    {
      HEIMDALL__REALTIME__MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      HEIMDALL__REALTIME__MAX_CONNECTIONS_PER_USER: '100000',
    },
    ['api', 'realtime'],
  );
  const clients = trackClients();
  const problems: unknown[] = [];
  const onProblem = (err: unknown) => problems.push(err);
  beforeAll(() => {
    process.on('unhandledRejection', onProblem);
    process.on('uncaughtException', onProblem);
  });
  afterAll(() => {
    process.off('unhandledRejection', onProblem);
    process.off('uncaughtException', onProblem);
  });

  it(`${CASES} random and mutated frames (seed ${SEED}): a protocol error for each malformed one, never silence, no crash`, async () => {
    const key = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const rng = mulberry32(SEED);
    const cases = Array.from({ length: CASES }, (_, i) => makeCase(rng, i));
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);

    async function run(c: Case): Promise<void> {
      const client = await RawClient.connect(wsUrl(t.url));
      try {
        if (c.authenticated) await client.authenticate(key);
        const start = client.messages.length;
        const replies = () => client.messages.slice(start).filter((m) => m.kind !== 'publication');
        const fail = (why: string) =>
          failures.push(
            `${c.name} (${c.authenticated ? 'authenticated' : 'anonymous'}, ${c.frame.length} bytes ${Buffer.from(c.frame).toString('hex').slice(0, 80)}): ${why}; got ${replies()
              .map((m) => (m.kind === 'error' ? m.error!.code : m.kind))
              .join(',')} close ${client.closedWith?.code}`,
          );
        const binary = typeof c.frame !== 'string';
        client.sendBytes(c.frame, binary);
        const size = binary ? c.frame.length : Buffer.byteLength(c.frame);
        const messages = binary ? decode(c.frame as Uint8Array) : undefined;

        if (size > MAX_FRAME_BYTES * 4) {
          const closed = await client.waitClosed(5000);
          count('close 1009 (ws)');
          if (closed.code !== 1009) fail('expected close 1009');
          return;
        }
        const protocolError = async (code: string, closeCode: number) => {
          const closed = await client.waitClosed(5000).catch(() => undefined);
          const errors = replies()
            .filter((m) => m.kind === 'error')
            .map((m) => m.error!.code);
          count(`${code} ${closed?.code}`);
          if (!errors.includes(code) || closed?.code !== closeCode)
            fail(`expected ${code} then ${closeCode}`);
        };
        if (size > MAX_FRAME_BYTES) return await protocolError('realtime.frame_too_large', 1009);
        if (!messages) return await protocolError('realtime.bad_frame', 4400);
        if (c.authenticated && messages.some((m) => !m.kind))
          return await protocolError('realtime.bad_frame', 4400);
        // Well-formed: one reply per message, or a close after an Error (e.g. not authenticated).
        try {
          await waitUntil(
            () => replies().length >= messages.length || client.closedWith !== undefined,
            'replies',
            5000,
          );
        } catch {
          fail(`silence: ${messages.length} message(s) of kinds ${messages.map((m) => m.kind).join(',')}`);
          return;
        }
        if (client.closedWith && !replies().some((m) => m.kind === 'error' || m.kind === 'disconnect'))
          fail('closed without an Error');
        for (const m of replies()) count(m.kind === 'error' ? m.error!.code! : m.kind!);
        if (replies().some((m) => m.kind === 'error' && m.error!.code === 'realtime.internal'))
          fail('realtime.internal');
      } finally {
        client.close();
      }
    }

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          await run(c).catch((err: Error) => failures.push(`${c.name}: ${err.message}`));
        }
      }),
    );
    const elapsed = Date.now() - started;
    if (process.env.HEIMDALL_FUZZ_VERBOSE) console.log(elapsed, JSON.stringify([...outcomes]));

    // Still alive: health, new connections, a publish and delivery round trip.
    expect((await call(t.url, 'GET', '/health')).status).toBe(200);
    const sub = await clients.sdk(wsUrl(t.url), key);
    const got: PublicationEvent[] = [];
    await sub.subscribe('app:after-fuzz', { publication: (e) => got.push(e) });
    await sub.publish('app:after-fuzz', data('still here'));
    await waitUntil(() => got.length === 1, 'a publication after the fuzzing');
    expect(problems).toEqual([]);
    expect({ seed: SEED, failures: failures.slice(0, 20), failed: failures.length }).toEqual({
      seed: SEED,
      failures: [],
      failed: 0,
    });
    // Every kind of outcome was reached (the mutators are not all producing the same thing).
    expect([...outcomes.keys()]).toEqual(
      expect.arrayContaining([
        'realtime.bad_frame 4400',
        'realtime.frame_too_large 1009',
        'close 1009 (ws)',
        'pong',
      ]),
    );
  });
});
