import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * What the audit log keeps of a person once their account is purged. Their events stay (the log is the platform's
 * record of what happened) but no longer name them: their id becomes a pseudonym that is the same for all their
 * events (so an investigation can still follow one person's actions) and that nobody can turn back into the id
 * without the secrets key. These functions are pure so that their rules can be held by property tests.
 */

/** The key pseudonyms are made with: derived from the secrets key, so every node makes the same pseudonym. */
export const pseudonymKey = (secretsKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'heimdall deleted-user pseudonyms', 32));

/** `deleted:` and 128 bits of HMAC-SHA-256 of the user id: stable per person, unrelated to the id. */
export const pseudonymFor = (key: Buffer, userId: string): string =>
  `deleted:${createHmac('sha256', key).update(userId).digest('hex').slice(0, 32)}`;

export const isPseudonym = (value: string): boolean => /^deleted:[0-9a-f]{32}$/.test(value);

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The network an address belongs to, without the host: IPv4 to its /24 (`203.0.113.77` → `203.0.113.0`),
 * IPv6 to its /48 (`2001:db8:1234:5678::1` → `2001:db8:1234::`). An IPv4 address written as IPv6
 * (`::ffff:203.0.113.77`) counts as IPv4. Null for anything that is not an address.
 */
export function truncateIp(ip: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0`;
  if (!isIPv6(ip)) return null;
  const [a, b, c] = ipv6Groups(ip) as [number, number, number];
  if (a === 0 && b === 0 && c === 0) return '::';
  // The shortest form: trailing zero groups of the three kept are folded into `::` with the rest.
  const kept = [a, b, c];
  while (kept.at(-1) === 0) kept.pop();
  return `${kept.map((g) => g.toString(16)).join(':')}::`;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A purged person's event metadata: only values that cannot hold personal data stay, which are booleans, numbers
 * and nulls (counts, flags). Strings, lists and objects go, since any of them may hold a name, an address, an
 * email or free text. `anonymized: true` marks the event as rewritten.
 */
export function scrubMetadata(metadata: Record<string, unknown>): Record<string, Json> {
  const kept: Record<string, Json> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      kept[key] = value;
  }
  kept.anonymized = true;
  return kept;
}

/** Replaces every occurrence of `id` in the strings of a JSON value (keys included) with `pseudonym`. */
export function replaceId(value: unknown, id: string, pseudonym: string): Json {
  if (typeof value === 'string') return value.split(id).join(pseudonym);
  if (Array.isArray(value)) return value.map((v) => replaceId(v, id, pseudonym));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.split(id).join(pseudonym), replaceId(v, id, pseudonym)]),
    );
  }
  return (value ?? null) as Json;
}

/** An audit event as the purge reads and rewrites it. */
export interface AuditEventForPurge {
  id: string;
  created_at: string;
  user_id: string | null;
  actor_id: string | null;
  resource_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  description: string | null;
  error_message: string | null;
  metadata: Record<string, unknown>;
  city: string | null;
  region: string | null;
}

/**
 * The purge's rule for one event that names the person. Their own events (about them, or done by them) lose what
 * identifies or locates them: the id (pseudonym), the host part of the address, the user agent, the free text
 * (description, error message), string and structured metadata, and the city and region (the country stays).
 * An event that only has them as its resource (an administrator acting on them) is someone else's record: only
 * the id is replaced, wherever it appears.
 */
export function anonymizeEvent(
  event: AuditEventForPurge,
  userId: string,
  pseudonym: string,
): AuditEventForPurge {
  const swap = (v: string | null) => (v === null ? null : v.split(userId).join(pseudonym));
  const theirs = event.user_id === userId || event.actor_id === userId;
  if (!theirs) {
    return {
      ...event,
      resource_id: swap(event.resource_id),
      description: swap(event.description),
      error_message: swap(event.error_message),
      metadata: replaceId(event.metadata, userId, pseudonym) as Record<string, unknown>,
    };
  }
  return {
    ...event,
    user_id: swap(event.user_id),
    actor_id: swap(event.actor_id),
    resource_id: swap(event.resource_id),
    ip_address: event.ip_address === null ? null : truncateIp(event.ip_address),
    user_agent: null,
    description: null,
    error_message: null,
    // A key may name them too (a map by user id).
    metadata: replaceId(scrubMetadata(event.metadata), userId, pseudonym) as Record<string, unknown>,
    city: null,
    region: null,
  };
}
