import { BlockList, isIP } from 'node:net';
import { parseAllowedEntry } from '../../schemas/oauth-clients.js';

/**
 * Where Heimdall may send a request on a client's behalf (back-channel logout). Loopback, private and other
 * special-use addresses (RFC 6890 and its IANA registries) are refused, so a registered URI cannot point Heimdall
 * at its own network (Redis on 127.0.0.1:6379, a cloud metadata service on 169.254.169.254), unless an operator
 * allows a range or a host for apps on a private network (`oidc.backchannel_logout.allowed_private`).
 *
 * Registration and delivery ask the same question, `addressAllowed`: registration of the URI's host as written
 * (an address, or a `localhost` name), delivery of every address the host resolves to at that moment, so a name
 * that resolves elsewhere later (DNS rebinding) is still refused.
 */
const SPECIAL_USE_V4 = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const;

const SPECIAL_USE_V6 = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::ffff:0:0', 96], // IPv4-mapped: an IPv4 address in disguise
  ['64:ff9b::', 96], // IPv4/IPv6 translation
  ['64:ff9b:1::', 48], // local-use translation
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID…)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const;

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * A BlockList per family: one list would match IPv4 addresses against IPv6 rules as IPv4-mapped addresses
 * (`::ffff:0:0/96` would take in every IPv4 address).
 */
function ranges() {
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  return {
    add: (address: string, prefix: number) =>
      lists[family(address)].addSubnet(address, prefix, family(address)),
    has: (address: string) => lists[family(address)].check(address, family(address)),
  };
}

const SPECIAL_USE = ranges();
for (const [net, prefix] of [...SPECIAL_USE_V4, ...SPECIAL_USE_V6]) SPECIAL_USE.add(net, prefix);

/** The host a URL names, as addresses and names are compared: lower case, an IPv6 address without brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** RFC 6761 §6.3: `localhost` and names under it are loopback, whatever a resolver says. */
const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

export interface OutboundTargetRule {
  /** May Heimdall connect to `address`, reached through the host name `host`? */
  addressAllowed(address: string, host: string): boolean;
  /**
   * Registration: a reason to refuse the URI's host as written, or undefined. Names other than `localhost` are
   * judged at each delivery, when they are resolved.
   */
  refuseUri(uri: string): string | undefined;
}

export function createOutboundTargetRule(allowedPrivate: readonly string[]): OutboundTargetRule {
  const allowedRanges = ranges();
  const allowedHosts = new Set<string>();
  for (const entry of allowedPrivate) {
    const parsed = parseAllowedEntry(entry);
    if (!parsed) throw new Error(`Not an address, CIDR range or host name: ${entry}`);
    if ('host' in parsed) allowedHosts.add(parsed.host);
    else allowedRanges.add(...parsed.subnet);
  }

  const addressAllowed = (address: string, host: string) => {
    if (!isIP(address)) return false;
    if (allowedHosts.has(host.toLowerCase())) return true;
    if (allowedRanges.has(address)) return true;
    return !SPECIAL_USE.has(address);
  };

  return {
    addressAllowed,
    refuseUri(uri) {
      const url = URL.parse(uri);
      if (!url) return 'It is not a URL.';
      const host = hostOf(url);
      const address = isIP(host) ? host : isLocalhostName(host) ? '127.0.0.1' : undefined;
      if (address === undefined || addressAllowed(address, host)) return undefined;
      return 'It points at a loopback, private or special-use address, which Heimdall does not call unless the operator allows it (oidc.backchannel_logout.allowed_private).';
    },
  };
}
