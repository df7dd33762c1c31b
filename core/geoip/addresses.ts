import { isIP } from 'node:net';
import { addressRanges, NOT_PUBLIC } from '../shared/special-addresses.js';

/** Addresses that no GeoIP database can place (ranges that carry another address are left to the database). */
const special = addressRanges(NOT_PUBLIC);

/** `::ffff:1.2.3.4` (how Node reports IPv4 clients on a dual-stack socket) as `1.2.3.4`; others unchanged. */
export function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** True for a well-formed address on the public internet, the only kind worth looking up. */
export function isPublicAddress(ip: string): boolean {
  const address = plainAddress(ip);
  return isIP(address) !== 0 && !special.has(address);
}
