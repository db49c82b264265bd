import { describe, expect, it } from 'vitest';
import { KNOWN, audit, findings, loginProbe } from './helpers.js';
import { startLeakyServer } from './leaky-server.js';
import type { Leak } from './leaky-server.js';

async function h2Audit(leak: Leak) {
  const server = await startLeakyServer({ leak, known: KNOWN, h2: true });
  try {
    return await audit([loginProbe(server.url)], { h2: true, maxPerClass: 120 });
  } finally {
    await server.close();
  }
}

describe('--h2: request pairs on one HTTP/2 connection, decided from the order of the replies', () => {
  it('finds a 2 ms delay from the response order, in the right direction', async () => {
    const report = await h2Audit({ kind: 'delay', micros: 2000, slower: 'known', timer: true });
    expect(findings(report)).toEqual(['time']);
    const order = report.endpoints[0]!.timing.order!;
    expect(order.pairs).toBeGreaterThan(0);
    // The slow class answers second: known first in (almost) no pair.
    expect(order.knownFirst / order.pairs).toBeLessThan(0.2);
    expect(order.p).toBeLessThan(1e-6);
    expect(report.mode).toBe('h2');
  });

  it('finds content leaks over HTTP/2 too', async () => {
    const report = await h2Audit({ kind: 'header' });
    expect(findings(report)).toContain('headers');
  });

  it('gives no finding when nothing leaks, with the order split near 50/50', async () => {
    const report = await h2Audit({ kind: 'none' });
    expect(findings(report)).toEqual([]);
    const order = report.endpoints[0]!.timing.order!;
    expect(order.p).toBeGreaterThan(1e-4);
  });
});
