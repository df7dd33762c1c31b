import { isIP } from 'node:net';
import { parseAllowedEntry } from '../../schemas/oauth-clients.js';
import { addressRanges, CARRIES_ANOTHER_ADDRESS, NOT_PUBLIC } from '../shared/special-addresses.js';

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
const SPECIAL_USE = addressRanges(NOT_PUBLIC, CARRIES_ANOTHER_ADDRESS);

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
  const allowedRanges = addressRanges();
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
