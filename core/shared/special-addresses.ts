import { BlockList, isIP } from 'node:net';

/**
 * Ranges that are not hosts on the public internet (RFC 6890 and its IANA special-purpose registries): private,
 * loopback, link-local, carrier-grade NAT, documentation, benchmarking, multicast, reserved.
 */
export const NOT_PUBLIC: readonly (readonly [network: string, prefix: number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

/**
 * Ranges whose addresses stand for another address or a relay (IPv4-mapped, IPv4/IPv6 translation, 6to4,
 * Teredo and other IETF assignments, the 6to4 relay anycast): where a packet ends up depends on what is inside.
 * GeoIP lookups leave them to the database (MaxMind databases alias IPv4-mapped, Teredo and 6to4 addresses to
 * the IPv4 address inside); the rule on where Heimdall may connect refuses them.
 */
export const CARRIES_ANOTHER_ADDRESS: readonly (readonly [network: string, prefix: number])[] = [
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['::ffff:0:0', 96], // IPv4-mapped: an IPv4 address in disguise
  ['64:ff9b::', 96], // IPv4/IPv6 translation
  ['64:ff9b:1::', 48], // local-use translation
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID…)
  ['2002::', 16], // 6to4
];

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

export interface AddressRanges {
  add(network: string, prefix: number): void;
  /** True when `address` (a well-formed IPv4 or IPv6 address) lies in one of the ranges. */
  has(address: string): boolean;
}

/**
 * A set of ranges, a BlockList per family: one list would match IPv4 addresses against IPv6 rules as
 * IPv4-mapped addresses (`::ffff:0:0/96` would take in every IPv4 address).
 */
export function addressRanges(...tables: (readonly (readonly [string, number])[])[]): AddressRanges {
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  const ranges: AddressRanges = {
    add: (network, prefix) => lists[family(network)].addSubnet(network, prefix, family(network)),
    has: (address) => lists[family(address)].check(address, family(address)),
  };
  for (const table of tables) for (const [network, prefix] of table) ranges.add(network, prefix);
  return ranges;
}
