/**
 * `npm run bench -- release [pairs]`: how precisely the envelope releases a
 * reply at start + floor, and whether the moment depends on the path taken.
 * Two paths of unequal synchronous work (0.3 ms and 1.2 ms, the kind of gap a
 * known and an unknown account can leave) run one at a time in random order
 * inside each pair, under a 5 ms floor, with the default release (a
 * ReleaseTimer on the monotonic clock) and with a plain setTimeout for the
 * rest of the floor (the envelope before it), and with the rest of the floor
 * spent spinning on the thread: a process that never sleeps meets only the
 * machine's own pauses of it, so that spread is the best any release can
 * do here, bought with a core per request in flight (CPU per release is
 * printed for it and for the ReleaseTimer). For each: the release error (time
 * of release minus start + floor) per path, its spread, and the difference of
 * the paths' medians.
 *
 * Then work left behind: after each heavy run, 1 ms of synchronous work (a
 * mail rendered, a detection step) starts at a random moment within the next
 * 6 ms, as the outbox worker's would, either as it comes or after awaiting
 * the envelope's `quiet` (design.md §4.10). It lands on whatever release
 * comes next: the error of each release is grouped by the path of the run
 * before it, the channel an attacker reads from the request after a probe.
 */
import { Envelope } from '../src/core/envelope.js';
import { systemClock } from '../src/kernel/clock.js';
import { SeededRandom } from '../src/kernel/random.js';

const PAIRS = Number(process.argv[2] ?? 2000);
const FLOOR = 5;
const random = new SeededRandom(11);

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

async function measure(envelope: Envelope): Promise<{ errors: Record<'light' | 'heavy', number[]>; cpuMsPerRelease: number }> {
  const errors = { light: [] as number[], heavy: [] as number[] };
  const cpu = process.cpuUsage();
  for (let i = 0; i < PAIRS; i++) {
    const order: ('light' | 'heavy')[] = random.int(2) === 0 ? ['light', 'heavy'] : ['heavy', 'light'];
    for (const path of order) {
      const start = performance.now();
      await envelope.run('bench', () => Promise.resolve(busy(path === 'light' ? 0.3 : 1.2)), { learn: () => false });
      errors[path].push((performance.now() - start - FLOOR) * 1000);
    }
  }
  const used = process.cpuUsage(cpu);
  return { errors, cpuMsPerRelease: (used.user + used.system) / 1000 / (2 * PAIRS) };
}

function report(name: string, errors: Record<'light' | 'heavy', number[]>): { spread: number; gap: number; early: number } {
  const all = [...errors.light, ...errors.heavy];
  const spread = quantile(all, 0.99) - quantile(all, 0.01);
  const gap = quantile(errors.heavy, 0.5) - quantile(errors.light, 0.5);
  const early = all.filter((e) => e < 0).length;
  process.stdout.write(
    `${name.padEnd(12)} release error µs: light p50 ${quantile(errors.light, 0.5).toFixed(0)}, heavy p50 ${quantile(errors.heavy, 0.5).toFixed(0)}, ` +
      `p1 ${quantile(all, 0.01).toFixed(0)}, p99 ${quantile(all, 0.99).toFixed(0)}; spread p1-p99 ${spread.toFixed(0)} µs; heavy - light median ${gap.toFixed(0)} µs; early ${early}/${all.length}\n`,
  );
  return { spread, gap, early };
}

async function measureLeftBehind(envelope: Envelope, paced: boolean): Promise<{ errors: Record<'light' | 'heavy', number[]> }> {
  // Keyed by the path of the run before: what the heavy path leaves behind is what is looked for.
  const errors = { light: [] as number[], heavy: [] as number[] };
  let previous: 'light' | 'heavy' | undefined;
  for (let i = 0; i < PAIRS; i++) {
    const order: ('light' | 'heavy')[] = random.int(2) === 0 ? ['light', 'heavy'] : ['heavy', 'light'];
    for (const path of order) {
      const start = performance.now();
      await envelope.run('bench', () => Promise.resolve(busy(0.3)), { learn: () => false });
      if (previous !== undefined) errors[previous].push((performance.now() - start - FLOOR) * 1000);
      previous = path;
      if (path === 'heavy') {
        setTimeout(() => void (paced ? envelope.quiet(2) : Promise.resolve()).then(() => busy(1)), random.int(6));
      }
    }
  }
  return { errors };
}

const timed = await measure(new Envelope({ clock: systemClock, floorMinMs: FLOOR }));
const precise = report('ReleaseTimer', timed.errors);
const plain = report('setTimeout', (await measure(new Envelope({ clock: systemClock, floorMinMs: FLOOR, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }))).errors);
// The machine's own limit: the rest of the floor spent spinning on the thread, never sleeping (a core per request in flight).
const spun = await measure(new Envelope({ clock: systemClock, floorMinMs: FLOOR, sleep: (ms) => Promise.resolve(busy(ms)) }));
const spin = report('spin', spun.errors);
process.stdout.write(`cpu per release: ReleaseTimer ${timed.cpuMsPerRelease.toFixed(2)} ms, spin ${spun.cpuMsPerRelease.toFixed(2)} ms (floor ${FLOOR} ms, work 0.3 or 1.2 ms)\n`);
const unpaced = report('left, as is', (await measureLeftBehind(new Envelope({ clock: systemClock, floorMinMs: FLOOR }), false)).errors);
const paced = report('left, quiet', (await measureLeftBehind(new Envelope({ clock: systemClock, floorMinMs: FLOOR }), true)).errors);
process.stdout.write(
  `work left behind (1 ms after each heavy run): the next release's median after heavy - after light ${unpaced.gap.toFixed(0)} µs as it comes, ${paced.gap.toFixed(0)} µs with quiet; ` +
    `spread p1-p99 ${unpaced.spread.toFixed(0)} µs and ${paced.spread.toFixed(0)} µs\n`,
);
process.stdout.write(
  `release: ${precise.spread.toFixed(0)} µs spread, ${Math.abs(precise.gap).toFixed(0)} µs path gap (baseline setTimeout: ${plain.spread.toFixed(0)} µs spread, ${Math.abs(plain.gap).toFixed(0)} µs path gap; ` +
    `the machine's limit, spinning: ${spin.spread.toFixed(0)} µs spread)\n`,
);
