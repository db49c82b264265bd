import { describe, expect, it } from 'vitest';
import { IDENTIFIER_ENDPOINTS, TOKEN_ENDPOINTS, plantedServer, probeEndpoint, timingTarget } from '../helpers/timing-target.js';
import type { Endpoint, EndpointResult, Store } from '../helpers/timing-target.js';
import { Z_LIMIT, describeComparison } from '../helpers/timing-probe.js';

/**
 * design.md §4.1 and §4.10 as an attacker measures them (issue 14): a fresh
 * instance per endpoint, one keep-alive connection, one request at a time,
 * 1,000 pairs (PAIRS below) of a known and an unknown address (a used and an unknown
 * token) in seeded random order, and after every probe a canary
 * (`GET /healthz`) that feels the work the probe left behind. Neither the
 * probes nor the canaries may tell the classes apart (Mann-Whitney |z| <
 * 3.3), nor may the probes grouped by the class of the probe before them
 * (work left behind falls on the next probe too), and no reply may come
 * before HUSH_FLOOR_MIN. The probe's power is
 * proven in the same run: with the envelope off it finds the recovery and
 * login leaks on each store, and it finds 50 µs leaks planted before the
 * release (on the probe) and after the reply (on the canary)
 * (timing-power.test.ts). Limits, proof-of-work and detection rules are off
 * (test/helpers/timing-target.ts says why). The files (a store and a group
 * of endpoints each, and the power file) run side by side, each sequential
 * within itself against servers of its own: what one adds to another's
 * times is noise that falls on both classes alike (their order inside each
 * pair is random), and the planted leak is found under the same noise. The
 * probe and its statistics are test/helpers/timing-probe.ts; `npm run bench
 * -- timing` runs the same probe for longer.
 */
/**
 * Pairs per endpoint. Issue 14 asked for 2,000; every request waits out its floor (the p99.9 of its flow's work:
 * 10 to 50 ms on the two shared cores here, far more for the hashing flows when anything else runs), so 2,000
 * pairs on 7 endpoints and 2 stores took about 30 minutes, past CI's budget. At 1,000 the probe still finds a
 * planted 50 µs leak (its test below) and the smallest difference each run could see is printed with it.
 * HUSH_TIMING_PAIRS=2000 (or more) before changing the envelope, a flow or the server; `npm run bench -- timing`
 * runs 10,000.
 */
const PAIRS = Number(process.env.HUSH_TIMING_PAIRS ?? 1000);
/** Rounds the statistics do not see: the JIT, the connection, the floor's first samples. */
const WARM_UP = 100;
/** With the envelope off there is no floor to wait out and the leaks are large: fewer pairs find them. */
const OFF_PAIRS = 300;
// A small floor keeps the run short; the floor still adapts up to each flow's own work (p99.9).
const FLOOR = '5ms';
const FLOOR_MS = 5;
/**
 * One probe run, warm-up included; a run past it fails rather than hangs. Each request waits out its
 * floor, which follows the flow's slowest work (p99.9): 10 to 70 ms on the shared 2-core machines here, and
 * for the hashing flows (login, reset confirm) hundreds of ms while other processes load the cores (their
 * threads run at nice +10): 1,000 pairs took 0.5 to 6 minutes, and once over 10 (PostgreSQL's reset confirm
 * beside two other timing files, at about 380 ms a request). Twenty minutes: a slow run is not a leak.
 */
const RUN_DEADLINE_MS = 1_200_000;
const EXPECTED_STATUS: Record<Endpoint, number> = {
  '/v1/signup': 202,
  '/v1/login': 401,
  '/v1/recovery': 202,
  '/v1/magic-link': 202,
  '/v1/verify': 400,
  '/v1/recovery/confirm': 400,
  '/v1/magic-link/confirm': 400,
};

async function probeFresh(store: Store, postgresUrl: string | undefined, endpoint: Endpoint, seed: number, options: { envelope: boolean; pairs: number }): Promise<EndpointResult> {
  const target = await timingTarget({ store, postgresUrl, floorMin: FLOOR, envelope: options.envelope });
  try {
    const classes = await target.classes(endpoint, options.pairs + WARM_UP);
    return await probeEndpoint(target.base, endpoint, classes, {
      rounds: options.pairs,
      warmUpRounds: WARM_UP,
      seed,
      deadlineMs: RUN_DEADLINE_MS,
      floorMs: options.envelope ? FLOOR_MS : 0,
      floorOf: target.floorOf(endpoint),
    });
  } finally {
    await target.close();
  }
}

function print(store: Store, r: EndpointResult): string {
  const lines = r.comparisons.map(({ name, label, c }) => describeComparison(`${store} ${r.endpoint} ${label ?? `${name}−unknown`}`, c));
  const text = `${lines.join('\n')}\n(${(r.ms / 1000).toFixed(0)} s)`;
  process.stdout.write(`${text}\n`);
  return text;
}

/** The comparisons past the limit, by name and channel. */
function alarms(r: EndpointResult): string[] {
  return r.comparisons.flatMap(({ name, c }) => [
    ...(Math.abs(c.probe.z) >= Z_LIMIT ? [`${name} probe`] : []),
    ...(Math.abs(c.canary.z) >= Z_LIMIT ? [`${name} canary`] : []),
  ]);
}

const seedOf = (store: Store, endpoint: string, run: number): number => [...`${store}${endpoint}`].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, run);

/**
 * The probe's tests for one store and group of endpoints. Each group is a file of its own
 * (test/http/timing-{pglite,postgres}-{identifier,token}.test.ts), so the files run side by side.
 */
export function timingSuite(store: Store, group: 'identifier' | 'token', postgresUrl?: string): void {
  describe(`timing of the ${group} endpoints on ${store}, probed as an attacker would (issue 14)`, () => {
    it.each(group === 'identifier' ? [...IDENTIFIER_ENDPOINTS] : [...TOKEN_ENDPOINTS])(
      '%s: neither the reply nor the next request tells the classes apart, and no reply comes before the floor',
      async (endpoint) => {
        const first = await probeFresh(store, postgresUrl, endpoint, seedOf(store, endpoint, 1), { envelope: true, pairs: PAIRS });
        let summary = print(store, first);
        // Every probe of both classes took the flow's own path to its one reply (not a 403 or a 500 before it).
        for (const [name, statuses] of Object.entries(first.statuses)) expect(statuses, `${endpoint} ${name}`).toEqual({ [EXPECTED_STATUS[endpoint]]: PAIRS });
        expect(first.comparisons.reduce((n, { c }) => n + c.early, 0), summary).toBe(0);
        let leaks = alarms(first);
        if (leaks.length > 0) {
          // Confirmed on a second fresh instance with another seed: the file makes some sixty comparisons, each
          // past |z| = 3.3 one time in a thousand by chance; a leak passes it again.
          const second = await probeFresh(store, postgresUrl, endpoint, seedOf(store, endpoint, 2), { envelope: true, pairs: PAIRS });
          summary += `\nsecond run:\n${print(store, second)}`;
          const again = alarms(second);
          leaks = leaks.filter((l) => again.includes(l));
        }
        expect(leaks, summary).toEqual([]);
      },
      2 * RUN_DEADLINE_MS + 120_000,
    );

  });
}

/** The probe's power with the envelope off, on each store: without the dummy hash, the discarded token and the floor, both flows do visibly less for an unknown address. */
export function envelopeOffTest(store: Store, postgresUrl?: string): void {
  it.each(['/v1/recovery', '/v1/login'] as const)(
    `%s on ${store} with the envelope off: the probe tells the classes apart (it has the power to)`,
    async (endpoint) => {
      const r = await probeFresh(store, postgresUrl, endpoint, seedOf(store, endpoint, 3), { envelope: false, pairs: OFF_PAIRS });
      const summary = print(store, r);
      expect(r.comparisons[0]!.c.probe.z, summary).toBeGreaterThan(Z_LIMIT);
    },
    RUN_DEADLINE_MS + 120_000,
  );
}

/** The probe's power on a leak of known size, at the pair count the endpoints get (the power that matters is at that count). */
export function plantedLeakTest(): void {
  it('finds 50 µs leaks planted in the real recovery flow: before the release on the probe, after the reply on the canary', async () => {
    const target = await timingTarget({ store: 'pglite', floorMin: FLOOR });
    const planted = await plantedServer(target, 50);
    try {
      const r = await probeEndpoint(planted.base, 'planted 50 µs', await planted.classes(PAIRS + WARM_UP), {
        rounds: PAIRS,
        warmUpRounds: WARM_UP,
        seed: 50,
        deadlineMs: RUN_DEADLINE_MS,
        floorMs: FLOOR_MS,
        floorOf: target.floorOf('/v1/recovery'),
      });
      const summary = print('pglite', r);
      const { c } = r.comparisons[0]!;
      expect(c.probe.z, summary).toBeGreaterThan(Z_LIMIT);
      expect(c.canary.z, summary).toBeGreaterThan(Z_LIMIT);
    } finally {
      await planted.close();
      await target.close();
    }
  }, RUN_DEADLINE_MS + 120_000);
}
