import { describe, expect, it } from 'vitest';
import { KNOWN, audit, findings, loginProbe, verdict } from './helpers.js';
import { startLeakyServer } from './leaky-server.js';
import type { Leak } from './leaky-server.js';

async function withLeak<T>(leak: Leak, fn: (url: string) => Promise<T>, format: 'json' | 'html' = 'json'): Promise<T> {
  const server = await startLeakyServer({ leak, known: KNOWN, format });
  try {
    return await fn(server.url);
  } finally {
    await server.close();
  }
}

describe('each calibration leak is found on its channel, with evidence', () => {
  const cases: { leak: Leak; channel: string; evidence: RegExp; format?: 'json' | 'html' }[] = [
    { leak: { kind: 'body-word' }, channel: 'body', evidence: /\[-your-\]\{\+the\+\}/ },
    { leak: { kind: 'body-word' }, channel: 'body', evidence: /\[-your-\]\{\+the\+\}/, format: 'html' },
    { leak: { kind: 'status' }, channel: 'status', evidence: /known "200".*unknown "404"/ },
    { leak: { kind: 'header' }, channel: 'headers', evidence: /header cache-control: known "private, no-store"/ },
    { leak: { kind: 'set-cookie' }, channel: 'headers', evidence: /set-cookie attempt/ },
    { leak: { kind: 'content-length' }, channel: 'headers', evidence: /header content-length/ },
    { leak: { kind: 'json-order' }, channel: 'body', evidence: /\$ key order: known "message, ok, csrf"/ },
    { leak: { kind: 'rate-limit', every: 3 }, channel: 'status', evidence: /known "200" ×\d+\/\d+, "429"/ },
  ];
  for (const c of cases) {
    it(`${c.leak.kind}${c.format === 'html' ? ' (html)' : ''} → ${c.channel}`, async () => {
      const report = await withLeak(c.leak, (url) => audit([loginProbe(url)]), c.format);
      expect(findings(report)).toContain(c.channel);
      expect(findings(report)).not.toContain('time');
      const v = verdict(report, c.channel);
      expect(v.evidence.join('\n')).toMatch(c.evidence);
      // Deterministic differences are clear at the first look.
      expect(report.endpoints[0]!.stoppedEarly).toBe(true);
    });
  }

  it('masks within-class variation (request id, CSRF nonce) instead of flagging it', async () => {
    const report = await withLeak({ kind: 'none' }, (url) => audit([loginProbe(url)], { maxPerClass: 60 }));
    expect(findings(report)).toEqual([]);
    const headers = verdict(report, 'headers');
    expect(headers.finding).toBe(false);
  });

  for (const slower of ['known', 'unknown'] as const) {
    it(`a 2 ms delay for ${slower} identifiers → time, in the right direction`, async () => {
      const report = await withLeak({ kind: 'delay', micros: 2000, slower }, (url) => audit([loginProbe(url)]));
      expect(findings(report)).toEqual(['time']);
      const t = report.endpoints[0]!.timing;
      expect(Math.sign(t.medianDiffMicros)).toBe(slower === 'unknown' ? 1 : -1);
      expect(Math.abs(t.medianDiffMicros)).toBeGreaterThan(1000);
      expect(verdict(report, 'time').summary).toContain(`${slower} identifiers are slower`);
    });
  }

  it('a 20 ms delay in only a tenth of known requests → time (upper quantiles)', async () => {
    const report = await withLeak({ kind: 'tail-delay', micros: 20_000 }, (url) => audit([loginProbe(url)], { maxPerClass: 800 }));
    expect(findings(report)).toEqual(['time']);
    const q95 = report.endpoints[0]!.timing.deciles.find((d) => d.p === 0.95)!;
    expect(q95.known - q95.unknown).toBeGreaterThan(10_000);
  });
});
