import { describe, expect, it } from 'vitest';
import { hushSequenceProbes } from '../../src/audit/hush-probes.js';
import type { Probe } from '../../src/audit/types.js';
import { audit } from './helpers.js';
import { KNOWN, withHush } from './hush-target.js';

/**
 * Today's hush under the sequences `--hush` runs (sign-up then login, two
 * resets, one login over the limit, a reset sweep with the identifier last,
 * each observed through the proof-of-work challenge): nothing differs. The
 * same probes find both leaks in hush before issue 13
 * (regression-sample.test.ts). Fewer samples than the CLI's 24 and a shorter
 * wait for detection keep this within the suite's budget.
 */
describe("hush's own server under the built-in sequences", () => {
  it('passes: no finding on any step or observer', async () => {
    const report = await withHush(true, (url) => {
      const probes = hushSequenceProbes(url, KNOWN).map((p): Probe => ({ ...p, samples: 12, ...(p.observe === undefined ? {} : { observe: { ...p.observe, waitMs: Math.min(p.observe.waitMs, 500) } }) }));
      return audit(probes, { warmup: 1 });
    });
    expect(report.endpoints.map((e) => e.name)).toEqual(['signup then login', 'recovery twice', 'login ×11', 'recovery sweep, identifier last']);
    const found = report.endpoints.flatMap((e) => e.verdicts.filter((v) => v.finding).map((v) => `${e.name}/${v.part}/${v.channel}: ${v.summary} ${v.evidence.join(' ')}`));
    expect(found).toEqual([]);
    // Each verdict says how small a difference it could have seen with these few samples.
    for (const e of report.endpoints) for (const v of e.verdicts.filter((x) => x.channel === 'status')) expect(v.smallest).toMatch(/of 12 replies/);
  }, 120_000);
});
