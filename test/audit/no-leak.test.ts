import { describe, expect, it } from 'vitest';
import { KNOWN, audit, findings, loginProbe } from './helpers.js';
import { startLeakyServer } from './leaky-server.js';

describe('no leak, no finding', () => {
  // α = 1e-3 per run, so 20 clean runs should all pass; one finding would
  // already be a 2 % event. Each run keeps sampling to its cap (no early stop).
  it('20 runs against the calibration server with every leak off give no finding', async () => {
    const server = await startLeakyServer({ leak: { kind: 'none' }, known: KNOWN });
    try {
      const found: string[][] = [];
      for (let run = 0; run < 20; run++) {
        const report = await audit([loginProbe(server.url)], { maxPerClass: 100 });
        expect(report.endpoints[0]!.samplesPerClass).toBe(100);
        expect(report.endpoints[0]!.timing.mddMicros).toBeGreaterThan(0);
        found.push(findings(report));
      }
      expect(found.flat()).toEqual([]);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('an HTML reply with a per-request nonce and a timestamp gives no finding either', async () => {
    const server = await startLeakyServer({ leak: { kind: 'none' }, known: KNOWN, format: 'html' });
    try {
      const report = await audit([loginProbe(server.url)], { maxPerClass: 100 });
      expect(findings(report)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
