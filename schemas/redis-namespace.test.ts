import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { channelNamespace, keyPrefixProblem, redisDatabase } from './redis-namespace.js';

const SEED = 20261203;

describe('the pub/sub namespace of a deployment', () => {
  it('names prefix, database and channel so that each can be read back: no two settings share a channel', () => {
    const prefix = fc.string({ unit: 'grapheme-ascii' }).filter((p) => keyPrefixProblem(p) === undefined);
    fc.assert(
      fc.property(prefix, fc.nat(9999), fc.string({ unit: 'grapheme-ascii' }), (keyPrefix, db, channel) => {
        const name = `${channelNamespace(`redis://127.0.0.1:6379/${db}`, keyPrefix)}${channel}`;
        const first = name.indexOf('|');
        const second = name.indexOf('|', first + 1);
        expect([name.slice(0, first), Number(name.slice(first + 1, second)), name.slice(second + 1)]).toEqual(
          [keyPrefix, db, channel],
        );
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('reads the database from the URL path only, and refuses what could be read two ways', () => {
    expect(redisDatabase('redis://h:6379')).toEqual({ db: 0 });
    expect(redisDatabase('redis://h:6379/')).toEqual({ db: 0 });
    expect(redisDatabase('rediss://u:p@h:6380/12')).toEqual({ db: 12 });
    for (const url of [
      'redis://h/01',
      'redis://h/x',
      'redis://h/1/2',
      'redis://h/-1',
      'redis://h?db=2',
      'not a url',
    ]) {
      expect({ url, result: redisDatabase(url) }).toEqual({ url, result: { problem: expect.any(String) } });
    }
    expect(keyPrefixProblem('a|b')).toMatch(/must not contain "\|"/);
    expect(() => channelNamespace('redis://h/1', 'a|')).toThrow('redis.key_prefix');
    expect(() => channelNamespace('redis://h/1?db=1', 'a:')).toThrow('redis.url');
  });
});
