import { describe, expect, it } from 'vitest';
import { labelled, precededBy } from '../helpers/timing-probe.js';
import type { ClassSample } from '../helpers/timing-probe.js';

/** The timing tests' subsets must keep each probe with its own canary, label and predecessor, or their comparisons mean nothing. */
describe('the timing probe: subsets of a class', () => {
  const s: ClassSample = {
    probe: [1, 2, 3, 4],
    raw: [11, 12, 13, 14],
    labels: ['spent', 'expired', 'spent', 'expired'],
    canary: [21, 22, 23, 24],
    after: ['', 'unknown', 'used', 'used'],
    statuses: { 400: 4 },
    early: 2,
  };

  it('labelled keeps the probes of one label, aligned', () => {
    expect(labelled(s, 'expired')).toEqual({ probe: [2, 4], raw: [12, 14], labels: ['expired', 'expired'], canary: [22, 24], after: ['unknown', 'used'], statuses: { 400: 4 }, early: 0 });
  });

  it('precededBy keeps the probes sent after a probe of one class, aligned', () => {
    expect(precededBy(s, 'used')).toEqual({ probe: [3, 4], raw: [13, 14], labels: ['spent', 'expired'], canary: [23, 24], after: ['used', 'used'], statuses: { 400: 4 }, early: 0 });
    expect(precededBy(s, 'nothing').probe).toEqual([]);
  });
});
