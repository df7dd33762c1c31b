import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What signs and checks oidc-provider's cookies (its `cookies.keys`, handed to Koa's `cookies`): the same
 * signatures as keygrip's defaults (HMAC-SHA1, base64url without padding, keyed with the key string's bytes),
 * so cookies signed before stay valid, for less work than keygrip's. Given an array of keys, Koa builds a
 * keygrip for every request; keygrip compares through tsscmp, which HMACs both values once more under a random
 * key, and makes base64url with a regular expression. An OpenID sign-in reads and writes about a dozen signed
 * cookies, so that work adds up on every sign-in (docs/performance.md). Here the comparison is
 * `timingSafeEqual`, on values of a length everyone knows.
 *
 * The first key signs; every key verifies (`index` says which one did, so a cookie under an old key is signed
 * again with the first).
 */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

export function cookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('cookieSigner needs at least one key');
  const mac = (data: string, key: string) => createHmac('sha1', key).update(data).digest();
  const index = (data: string, digest: string) => {
    if (typeof digest !== 'string') return -1;
    const presented = Buffer.from(digest, 'base64url');
    // base64url decoding skips characters outside its alphabet: only the canonical form of a MAC is accepted.
    if (presented.length !== 20 || presented.toString('base64url') !== digest) return -1;
    for (let i = 0; i < keys.length; i += 1) if (timingSafeEqual(presented, mac(data, keys[i]!))) return i;
    return -1;
  };
  return {
    sign: (data) => mac(data, keys[0]!).toString('base64url'),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
