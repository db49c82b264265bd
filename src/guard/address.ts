import { BlockList, SocketAddress, isIP } from 'node:net';
import type { TrustProxy } from '../kernel/config.js';

/**
 * The client's address. The socket's, unless HUSH_TRUST_PROXY names the
 * proxies in front of hush: only then are X-Forwarded-For / Forwarded read,
 * and only as far back as the chain of trusted hops goes. A client can put
 * anything in those headers, so without trust they are ignored entirely.
 */

/** Canonical text form: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower-case, zone dropped. `null` when not an IP. */
export function normalizeIp(raw: string): string | null {
  let s = raw.trim();
  if (s.startsWith('[') && s.includes(']')) s = s.slice(1, s.indexOf(']'));
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return new SocketAddress({ address: s, family: 'ipv4' }).address;
  if (family !== 6) return null;
  const v6 = new SocketAddress({ address: s, family: 'ipv6' }).address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  return mapped?.[1] ?? v6;
}

/** Eight 16-bit groups of a canonical IPv6 address. */
function groupsV6(v6: string): string[] {
  const [head = '', tail] = v6.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
  const last = right.at(-1) ?? left.at(-1);
  if (last !== undefined && last.includes('.')) {
    const parts = last.split('.').map(Number);
    const hi = (((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16);
    const lo = (((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16);
    (right.length > 0 ? right : left).splice(-1, 1, hi, lo);
  }
  const fill = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right];
}

/** The network address of `ip/bits` (host bits cleared), canonical. */
export function networkAddress(ip: string, bits: number): string {
  if (isIP(ip) === 4) {
    const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const net = (n & mask) >>> 0;
    return [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.');
  }
  const value = groupsV6(ip).reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  const net = value & mask;
  const groups = Array.from({ length: 8 }, (_, i) => ((net >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

/**
 * The key a limit counts: the address itself for IPv4, its /64 for IPv6,
 * because one subscriber usually holds a whole /64 and could otherwise rotate
 * through 2^64 addresses.
 */
export function addressKey(address: string): string {
  const ip = normalizeIp(address);
  if (ip === null) return `?${address}`;
  if (isIP(ip) === 4) return ip;
  const g = groupsV6(ip).slice(0, 4).map((x) => x.padStart(4, '0'));
  return `${g.join(':')}::/64`;
}

/** Parses one `for=` node of RFC 7239 `Forwarded` (quoted, bracketed, with a port) into an address, or null. */
function forwardedNode(value: string): string | null {
  let v = value.trim();
  if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  if (v.startsWith('[')) return normalizeIp(v);
  const colon = v.indexOf(':');
  if (colon >= 0 && v.indexOf(':', colon + 1) < 0) v = v.slice(0, colon); // IPv4 with a port
  return normalizeIp(v);
}

/** The hops a request says it passed through, nearest last; `null` marks a hop that is not an address. */
function forwardedChain(headers: Headers): (string | null)[] {
  // X-Forwarded-For wins when both are present: it is the header most proxies append to.
  const xff = headers.get('x-forwarded-for');
  if (xff !== null) return xff.split(',').map((s) => normalizeIp(s));
  const fwd = headers.get('forwarded');
  if (fwd === null) return [];
  const out: (string | null)[] = [];
  for (const element of fwd.split(',')) {
    const pair = element.split(';').map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('for='));
    out.push(pair === undefined ? null : forwardedNode(pair.slice(4)));
  }
  return out;
}

/** A compiled HUSH_TRUST_PROXY: built once, consulted per request. */
export class ProxyTrust {
  readonly hops: number;
  readonly #ranges: BlockList | null;

  constructor(trust: TrustProxy) {
    this.hops = trust.hops;
    if (trust.cidrs.length === 0) {
      this.#ranges = null;
      return;
    }
    const ranges = new BlockList();
    for (const cidr of trust.cidrs) {
      const [addr = '', bits] = cidr.split('/');
      const ip = normalizeIp(addr);
      if (ip === null) throw new Error(`HUSH_TRUST_PROXY: ${cidr} is not an address or range`);
      const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) ranges.addAddress(ip, family);
      else ranges.addSubnet(ip, Number(bits), family);
    }
    this.#ranges = ranges;
  }

  trusts(ip: string): boolean {
    return this.#ranges?.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6') ?? false;
  }

  /** The client behind the chain, given the socket peer and the forwarding headers. */
  resolve(socket: string, headers: Headers): string {
    const chain = forwardedChain(headers);
    if (this.#ranges === null) {
      // Hop count: each trusted proxy appended the address it saw; the client is `hops` from the right.
      let current = socket;
      for (let i = 0; i < this.hops; i++) {
        const prev = chain[chain.length - 1 - i];
        if (prev === undefined || prev === null) break; // a hop we cannot read: keep the nearest one we could
        current = prev;
      }
      return current;
    }
    let current = socket;
    for (let i = chain.length - 1; i >= 0 && this.trusts(current); i--) {
      const prev = chain[i];
      if (prev === undefined || prev === null) break;
      current = prev;
    }
    return current;
  }
}

/**
 * The client address of one request. `socketAddress` is the TCP peer;
 * `trust` the compiled HUSH_TRUST_PROXY (absent: headers ignored). Returns the
 * full normalized address (events and logs carry it); limits key it through
 * `addressKey`, which folds IPv6 to its /64.
 */
export function clientAddress(socketAddress: string, headers: Headers, trust: ProxyTrust | TrustProxy | undefined): string {
  const socket = normalizeIp(socketAddress) ?? socketAddress;
  if (trust === undefined) return socket;
  const compiled = trust instanceof ProxyTrust ? trust : new ProxyTrust(trust);
  return compiled.resolve(socket, headers);
}
