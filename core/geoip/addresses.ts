import { BlockList, isIP } from 'node:net';

/**
 * Addresses that no GeoIP database can place: private (RFC 1918, unique local), loopback, link-local,
 * carrier-grade NAT, documentation, benchmarking, multicast and other special-purpose ranges (IANA registries).
 */
const special = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  special.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  special.addSubnet(network, prefix, 'ipv6');

/** `::ffff:1.2.3.4` (how Node reports IPv4 clients on a dual-stack socket) as `1.2.3.4`; others unchanged. */
export function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** True for a well-formed address on the public internet, the only kind worth looking up. */
export function isPublicAddress(ip: string): boolean {
  const address = plainAddress(ip);
  const version = isIP(address);
  if (version === 0) return false;
  return !special.check(address, version === 4 ? 'ipv4' : 'ipv6');
}
