import type { StoredPublication } from './broker.js';

/**
 * What the Redis broker keeps in Redis and sends through it: its Lua scripts and the pub/sub message,
 * "<epoch> <offset> <ms> <payload bytes>".
 */
// A channel without meta starts a new epoch, and whatever history an older epoch left is dropped.
const ensureEpoch = (arg: number) => `
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[${arg}]
  redis.call('HSET', KEYS[1], 'e', epoch)
  redis.call('DEL', KEYS[2])
end`;

export const PUBLISH = `${ensureEpoch(2)}
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[3]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], '*', 'o', offset, 'd', ARGV[1])
  redis.call('XTRIM', KEYS[2], 'MINID', ms - tonumber(ARGV[4]))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
redis.call('PUBLISH', ARGV[6], epoch .. ' ' .. offset .. ' ' .. ms .. ' ' .. ARGV[1])
return {epoch, offset}`;

// Returns {epoch, top offset, entries newest first | false when more were missed than history can hold}.
export const HISTORY = `${ensureEpoch(1)}
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
local since = tonumber(ARGV[3])
if since < 0 or since >= top then return {epoch, top, {}} end
local missed = top - since
if missed > tonumber(ARGV[4]) then return {epoch, top, false} end
local t = redis.call('TIME')
redis.call('XTRIM', KEYS[2], 'MINID', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[5]))
return {epoch, top, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', missed)}`;

export type StreamEntry = [id: Buffer, fields: Buffer[]];

const SPACE = 0x20;

export function parseMessage(
  channel: string,
  message: Buffer,
): { epoch: string; publication: StoredPublication } | null {
  const a = message.indexOf(SPACE);
  const b = message.indexOf(SPACE, a + 1);
  const c = message.indexOf(SPACE, b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  return {
    epoch: message.toString('latin1', 0, a),
    publication: {
      channel,
      offset: Number(message.toString('latin1', a + 1, b)),
      timeMs: Number(message.toString('latin1', b + 1, c)),
      payload: message.subarray(c + 1),
    },
  };
}

export function fromEntry(channel: string, [id, fields]: StreamEntry): StoredPublication {
  let offset = 0;
  let payload: Uint8Array = new Uint8Array(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === 'o') offset = Number(fields[i + 1]!.toString());
    else if (name === 'd') payload = fields[i + 1]!;
  }
  return { channel, offset, timeMs: Number(id.toString().split('-')[0]), payload };
}
