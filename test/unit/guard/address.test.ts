import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, normalizeIp, ProxyTrust } from '../../../src/guard/address.js';

const h = (init: Record<string, string>): Headers => new Headers(init);

describe('clientAddress', () => {
  it('is the socket address when no proxy is trusted, whatever the headers say', () => {
    const spoof = h({ 'x-forwarded-for': '198.51.100.1', forwarded: 'for=198.51.100.2' });
    expect(clientAddress('203.0.113.7', spoof, undefined)).toBe('203.0.113.7');
  });

  it('normalizes IPv4-mapped IPv6 sockets to IPv4', () => {
    expect(clientAddress('::ffff:203.0.113.7', h({}), undefined)).toBe('203.0.113.7');
  });

  it('with a hop count takes the address that many hops from the socket', () => {
    const headers = h({ 'x-forwarded-for': '198.51.100.9, 192.0.2.1, 10.0.0.2' });
    expect(clientAddress('10.0.0.1', headers, { hops: 1, cidrs: [] })).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.1', headers, { hops: 2, cidrs: [] })).toBe('192.0.2.1');
    // More hops than entries: the farthest one there is.
    expect(clientAddress('10.0.0.1', headers, { hops: 9, cidrs: [] })).toBe('198.51.100.9');
  });

  it('with trusted ranges walks back only through trusted proxies', () => {
    const trust = new ProxyTrust({ hops: 0, cidrs: ['10.0.0.0/8'] });
    // The client prepended a spoofed entry; the proxies appended the real one.
    const headers = h({ 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.1.1.1' });
    expect(clientAddress('10.0.0.1', headers, trust)).toBe('198.51.100.4');
  });

  it('ignores the headers when the socket is not a trusted proxy', () => {
    const trust = new ProxyTrust({ hops: 0, cidrs: ['10.0.0.0/8'] });
    expect(clientAddress('203.0.113.7', h({ 'x-forwarded-for': '6.6.6.6' }), trust)).toBe('203.0.113.7');
  });

  it('reads RFC 7239 Forwarded, quoted IPv6 with a port included', () => {
    const headers = h({ forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"' });
    expect(clientAddress('10.0.0.1', headers, { hops: 1, cidrs: [] })).toBe('2001:db8:cafe::17');
    expect(clientAddress('10.0.0.1', h({ forwarded: 'for=192.0.2.43:8080' }), { hops: 1, cidrs: [] })).toBe('192.0.2.43');
  });

  it('stops at a hop that is not an address instead of trusting what lies beyond it', () => {
    const headers = h({ 'x-forwarded-for': '6.6.6.6, garbage' });
    expect(clientAddress('10.0.0.1', headers, { hops: 2, cidrs: [] })).toBe('10.0.0.1');
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses whole', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it('folds IPv6 to its /64, however the address is written', () => {
    const a = addressKey('2001:db8:1:2:aaaa::1');
    expect(a).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('2001:DB8:1:2:ffff:ffff:ffff:ffff')).toBe(a);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(a);
    expect(addressKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('0064:ff9b:0000:0000::/64');
  });

  it('normalizes', () => {
    expect(normalizeIp(' [2001:DB8::1] ')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('nope')).toBeNull();
  });
});
