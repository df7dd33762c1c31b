import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, type OutboundTargetRule } from '../core/oauth-clients/outbound-target.js';

/**
 * The `fetch` oidc-provider makes its outgoing requests with (back-channel logout). The host is resolved once,
 * every address it resolves to must pass the outbound rule (the one registration applies), and the connection
 * goes to an address checked this way: a name that resolves to a private address at delivery time (DNS
 * rebinding) is refused before any socket is opened.
 */

/** Every address a host name resolves to. */
export type ResolveHost = (host: string) => Promise<string[]>;

export const systemResolver: ResolveHost = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** A delivery the rule refused: not retried, as asking again would get the same answer. */
export class RefusedTarget extends Error {
  override name = 'RefusedTarget';
}

/** What oidc-provider passes (fetch_request.js): a method, headers, a form body and a timeout signal. */
type FetchOptions = {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: unknown;
  signal?: AbortSignal | null;
};

/** Only the status of a logout response matters; a client cannot make Heimdall hold more than this. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function createOutboundFetch(deps: { rule: OutboundTargetRule; resolve: ResolveHost }) {
  return async (input: string | URL | Request, options: FetchOptions = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RefusedTarget(`${url.protocol} is not called`);
    const host = hostOf(url);
    const addresses = isIP(host) ? [host] : await deps.resolve(host);
    const refused = addresses.filter((address) => !deps.rule.addressAllowed(address, host));
    if (addresses.length === 0 || refused.length > 0) {
      throw new RefusedTarget(
        `${host} resolves to ${refused.join(', ') || 'no address'}: a loopback, private or special-use address is called only when oidc.backchannel_logout.allowed_private allows it`,
      );
    }
    const address = addresses[0]!;
    const family = isIP(address);
    // The connection goes to the address checked above, never to a second answer of the resolver.
    const pinned: LookupFunction = (_name, opts, callback) => {
      if ((opts as { all?: boolean }).all)
        (callback as (e: null, a: object[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const body = options.body === undefined ? undefined : String(options.body);
    const headers = Object.fromEntries(new Headers(options.headers));
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: options.method ?? 'GET', headers, lookup: pinned, signal: options.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('the response is too large'));
            else chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            const noBody = status === 204 || status === 304;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined)
                responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }),
            );
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}
