/**
 * `npm run bench -- timing [pairs]`: the attacker's timing probe of issue 14
 * (test/helpers/timing-probe.ts) against every account endpoint, each on a
 * fresh instance (test/helpers/timing-target.ts): one keep-alive connection,
 * one request at a time, a known and an unknown address (a spent or expired
 * and an unknown token) in random order inside each pair, and a canary
 * (`GET /healthz`) after each probe for the work it left behind. Default
 * 10,000 pairs per endpoint on the embedded store, and on PostgreSQL too when
 * DATABASE_URL or HUSH_TEST_DATABASE_URL names a server (a fresh database on
 * it per instance).
 *
 * Per endpoint: the median difference, Mann-Whitney z, the canary's z, the
 * smallest difference the run could see (3.3 × robust σ × √(2/n)) and replies
 * before the floor. The baseline, in the same run: 50 µs leaks planted
 * before the release and after the reply, which the probe and the canary
 * must find.
 *
 * TIMING_ENDPOINTS=/v1/recovery,/v1/login and TIMING_STORES=postgres narrow
 * the run; TIMING_RUNS=3 probes each endpoint on that many fresh instances,
 * each with its own seed (issue 14's "3 runs of 1,000 pairs"); TIMING_FLOOR_MIN sets HUSH_FLOOR_MIN (default 5ms);
 * TIMING_ENVELOPE=off runs without the envelope; TIMING_WORKER=off leaves
 * the outbox worker stopped (nothing delivered during the probe); TIMING_SYNCHRONOUS_COMMIT=on
 * lets PostgreSQL wait for the disk at every commit (its floors then follow
 * the disk's slowest fsyncs). TIMING_PLANTED=off skips the planted baseline
 * (for a run that adds endpoints to one whose baseline was printed).
 */
import { IDENTIFIER_ENDPOINTS, TOKEN_ENDPOINTS, plantedServer, probeEndpoint, timingTarget } from '../test/helpers/timing-target.js';
import type { Endpoint, EndpointResult, Store } from '../test/helpers/timing-target.js';
import { describeComparison } from '../test/helpers/timing-probe.js';
import { parseDuration } from '../src/kernel/duration.js';

const PAIRS = Number(process.argv[2] ?? 10_000);
const WARM_UP = 200;
const floorMin = process.env.TIMING_FLOOR_MIN ?? '5ms';
const floorMs = parseDuration(floorMin) ?? 5;
const envelope = process.env.TIMING_ENVELOPE !== 'off';
const pgUrl = process.env.DATABASE_URL ?? process.env.HUSH_TEST_DATABASE_URL;
const stores: Store[] = (['pglite', ...(pgUrl === undefined || pgUrl === '' ? [] : (['postgres'] as const))] as Store[]).filter((s) => process.env.TIMING_STORES === undefined || process.env.TIMING_STORES.split(',').includes(s));
const only = process.env.TIMING_ENDPOINTS?.split(',').filter((e) => e !== '');
const runs = Number(process.env.TIMING_RUNS ?? 1);
const endpoints = [...IDENTIFIER_ENDPOINTS, ...TOKEN_ENDPOINTS].filter((e) => only === undefined || only.includes(e)) as Endpoint[];
const probeOptions = (seed: number) => ({ rounds: PAIRS, warmUpRounds: WARM_UP, seed, deadlineMs: 3_600_000, floorMs: envelope ? floorMs : 0 });

function report(store: string, r: EndpointResult): void {
  const floor = r.floorMs === undefined ? 'no floor' : `floor ${r.floorMs.toFixed(1)} ms`;
  for (const { name, label, c } of r.comparisons) process.stdout.write(`${describeComparison(`${store} ${r.endpoint} ${label ?? `${name}−unknown`}`, c)} (${floor}, ${(r.ms / 1000).toFixed(0)} s)\n`);
  const mixed = Object.entries(r.statuses).filter(([, s]) => Object.keys(s).length > 1);
  if (mixed.length > 0) process.stdout.write(`  more than one status in a class: ${JSON.stringify(r.statuses)}\n`);
}

let worstZ = 0;
let worstCanaryZ = 0;
let early = 0;
process.stdout.write(`timing probe: ${PAIRS} pairs per endpoint × ${runs} run(s), envelope ${envelope ? 'on' : 'off'}, outbox worker ${process.env.TIMING_WORKER === 'off' ? 'stopped' : 'running'}, HUSH_FLOOR_MIN=${floorMin}, stores ${stores.join(', ')}\n`);
for (const store of stores) {
  for (const [k, endpoint] of endpoints.entries()) for (let run = 0; run < runs; run++) {
    const target = await timingTarget({ store, postgresUrl: pgUrl, envelope, floorMin, synchronousCommit: process.env.TIMING_SYNCHRONOUS_COMMIT === 'on', worker: process.env.TIMING_WORKER !== 'off' });
    try {
      const r = await probeEndpoint(target.base, endpoint, await target.classes(endpoint, PAIRS + WARM_UP), { ...probeOptions(1000 + k + 100 * run), floorOf: target.floorOf(endpoint) });
      report(store, r);
      for (const { c } of r.comparisons) {
        worstZ = Math.max(worstZ, Math.abs(c.probe.z));
        worstCanaryZ = Math.max(worstCanaryZ, Math.abs(c.canary.z));
        early += c.early;
      }
    } finally {
      await target.close();
    }
  }
}

// The baselines: the same probe against a leak of known size, on the embedded store.
if (process.env.TIMING_PLANTED === 'off') {
  process.stdout.write(`timing: max |z| ${worstZ.toFixed(2)} probe, ${worstCanaryZ.toFixed(2)} canary, ${early} early over ${endpoints.length} endpoints × ${stores.length} stores × ${runs} run(s) (no baseline: TIMING_PLANTED=off)\n`);
  process.exit(0);
}
const target = await timingTarget({ store: 'pglite', envelope: true, floorMin });
const planted = await plantedServer(target, 50);
let found: { z: number; canaryZ: number } | undefined;
try {
  const r = await probeEndpoint(planted.base, 'planted 50 µs', await planted.classes(PAIRS + WARM_UP), { ...probeOptions(7), floorOf: target.floorOf('/v1/recovery') });
  report('pglite', r);
  const { c } = r.comparisons[0]!;
  found = { z: c.probe.z, canaryZ: c.canary.z };
} finally {
  await planted.close();
  await target.close();
}
process.stdout.write(
  `timing: max |z| ${worstZ.toFixed(2)} probe, ${worstCanaryZ.toFixed(2)} canary, ${early} early over ${endpoints.length} endpoints × ${stores.length} stores × ${runs} run(s) ` +
    `(baseline planted 50 µs before the release and after the reply: probe z ${found.z.toFixed(1)}, canary z ${found.canaryZ.toFixed(1)})\n`,
);
process.exit(0);
