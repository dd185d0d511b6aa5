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

/** A delivery failure that retrying cannot fix (refused address, missing configuration). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** Loopback, private, link-local (incl. cloud metadata 169.254.169.254), CGNAT, unspecified, multicast, reserved. */
const BLOCKED: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
];

const blocked = new net.BlockList();
for (const [address, prefix, type] of BLOCKED) blocked.addSubnet(address, prefix, type);

/** Decides which resolved addresses outbound requests may connect to. */
export class AddressPolicy {
  private readonly allowed = new net.BlockList();

  constructor(allowCidrs: string[]) {
    for (const cidr of allowCidrs) {
      const [address, prefix] = cidr.split('/');
      const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
      this.allowed.addSubnet(address, Number(prefix), type);
    }
  }

  /** Why this address is refused, or null when it may be used. */
  refusal(address: string): string | null {
    const plain = unmapIPv4(address);
    const type = net.isIPv6(plain) ? 'ipv6' : 'ipv4';
    if (this.allowed.check(plain, type)) return null;
    return blocked.check(plain, type) ? `address ${address} is private, loopback, link-local or reserved` : null;
  }
}

/** "::ffff:10.0.0.1" -> "10.0.0.1", so mapped addresses meet the IPv4 rules. */
function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
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
