/**
 * Outbound HTTP for SMS gateways and webhooks, guarded against SSRF: the host is
 * resolved once, every resolved address must be public (or inside an allowed CIDR),
 * and the connection goes to the very address that was checked (no second DNS lookup
 * an attacker could rebind). Redirects are not followed: a 3xx is a failed delivery.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** A delivery failure that retrying cannot fix (refused address, missing configuration). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * The address ranges come from ipaddr.js (IANA special-purpose registries, kept up to
 * date there): only its `unicast` class may be reached. IPv4-mapped addresses
 * (::ffff:a.b.c.d) are judged as the IPv4 address they reach. Two gaps of the library
 * are closed here: it has no class for IPv4-compatible addresses (::a.b.c.d, deprecated
 * by RFC 4291, reported as unicast), and it parses the text "::a.b.c.d" as mapped, so
 * every IPv6 literal is first put in canonical hex form by the WHATWG URL parser.
 */
type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** NAT64's well-known prefix 64:ff9b::/96 (RFC 6052): the last 32 bits are the IPv4 address it reaches. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

function parseAddress(address: string): Ip | null {
  // A zone id (fe80::1%eth0) only ever comes with link-local addresses: drop it, keep the address.
  const plain = address.split('%')[0];
  const family = net.isIP(plain);
  if (family === 0) return null;
  const canonical = family === 6 ? new URL(`http://[${plain}]/`).hostname.slice(1, -1) : plain;
  const ip = ipaddr.parse(canonical);
  return ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() ? ip.toIPv4Address() : ip;
}

/**
 * The ipaddr.js class of an address ('unicast' is the only one outbound requests may
 * reach), with 'ipv4Compatible' for ::a.b.c.d, and NAT64's well-known prefix judged by
 * the IPv4 address it embeds ('rfc6052' only when that address is not unicast).
 */
export function addressRange(address: string): string {
  const ip = parseAddress(address);
  if (!ip) return 'invalid';
  const range = ip.range();
  if (ip instanceof ipaddr.IPv4) return range;
  const bytes = ip.toByteArray();
  if (range === 'unicast' && bytes.slice(0, 12).every((b) => b === 0)) return 'ipv4Compatible';
  if (range === 'rfc6052' && ip.match(NAT64_WELL_KNOWN)) {
    const embedded = new ipaddr.IPv4(bytes.slice(12));
    return embedded.range() === 'unicast' ? 'unicast' : `rfc6052 of ${embedded.range()} ${embedded.toString()}`;
  }
  return range;
}

/** Decides which resolved addresses outbound requests may connect to. */
export class AddressPolicy {
  private readonly allowed: [Ip, number][];

  /** allowCidrs: ranges reachable although not public (OUTBOUND_ALLOW_CIDRS, e.g. 127.0.0.0/8 in tests). */
  constructor(allowCidrs: string[]) {
    this.allowed = allowCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** Why this address is refused, or null when it may be used. */
  refusal(address: string): string | null {
    const ip = parseAddress(address);
    if (ip && this.allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return null;
    const range = addressRange(address);
    return range === 'unicast' ? null : `address ${address} is private, loopback, link-local or reserved (${range})`;
  }
}

/** Resolves the URL's host and returns the first permitted address; PermanentDeliveryError if none. */
export async function resolveSafely(url: URL, policy: AddressPolicy): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const candidates = net.isIP(host)
    ? [{ address: host, family: net.isIP(host) as 4 | 6 }]
    : await dns.promises.lookup(host, { all: true, verbatim: true }).catch((err: Error) => {
        throw new Error(`cannot resolve ${host}: ${err.message}`);
      });
  const refusals: string[] = [];
  for (const c of candidates) {
    const why = policy.refusal(c.address);
    if (why === null) return { address: c.address, family: c.family as 4 | 6 };
    refusals.push(why);
  }
  throw new PermanentDeliveryError(`refused outbound request to ${host}: ${refusals.join('; ') || 'no address'}`);
}

export interface PostResult {
  status: number;
  body: string;
}

/**
 * POSTs a JSON body, connecting only to a checked address; resolves with the status
 * of the first response (redirects are returned, not followed) within timeoutMs.
 */
export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: { policy: AddressPolicy; timeoutMs: number },
): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new PermanentDeliveryError(`not a URL: ${rawUrl.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PermanentDeliveryError(`unsupported URL scheme ${url.protocol}`);
  const target = await resolveSafely(url, opts.policy);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        // Connect to the address checked above, whatever DNS says now.
        lookup: (_host: string, options: dns.LookupOptions, cb: (...a: never[]) => void) => {
          const callback = cb as unknown as (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void;
          if (options.all) callback(null, [{ address: target.address, family: target.family }]);
          else callback(null, target.address, target.family);
        },
        agent: false,
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
        res.on('error', reject);
      },
    );
    req.on('error', (err: Error) => reject(err.name === 'AbortError' || err.name === 'TimeoutError' ? new Error(`no response within ${opts.timeoutMs} ms`) : err));
    req.end(body);
  });
}

/** Throws unless the response is 2xx (3xx included: redirects are not followed). */
export function expectSuccess(what: string, r: PostResult): void {
  if (r.status >= 200 && r.status < 300) return;
  const kind = r.status >= 300 && r.status < 400 ? ' (redirect not followed)' : '';
  throw new Error(`${what} answered HTTP ${r.status}${kind}${r.body ? `: ${r.body.slice(0, 200)}` : ''}`);
}
