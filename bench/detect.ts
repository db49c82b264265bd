/**
 * `npm run bench -- detect`: the detection engine's figures.
 *   1. events/s through all default rules on one core, memory state (target ≥ 200,000/s)
 *   2. the same with the Redis state (REDIS_URL or HUSH_TEST_REDIS_URL; skipped without)
 *   3. p99 latency from event to signal (the observe call that raised it)
 *   4. memory per 100,000 live groups
 * The machines are shared: the last line gives events/s as a ratio to a
 * baseline measured in the same run (one Map increment per event, the least
 * any per-address counter can do).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AccountEvent } from '../src/core/event.js';
import { ManualClock } from '../src/kernel/clock.js';
import { SeededRandom } from '../src/kernel/random.js';
import { DetectionEngine } from '../src/detect/engine.js';
import { defaultRulesDir, loadRules } from '../src/detect/load-rules.js';
import { MemoryState } from '../src/detect/memory-state.js';
import { RedisState } from '../src/detect/redis-state.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rules = loadRules([defaultRulesDir()]);
const random = new SeededRandom(42);
const START = Date.UTC(2026, 0, 1);

/**
 * A day-like mix: mostly ordinary logins, some resets and sign-ups, and
 * attackers in it, from `ips` addresses over `logins` accounts. With a large
 * `ips` nearly every event comes from a new address: the rotating flood, the
 * worst case (every event creates groups and evicts old ones).
 */
function makeEvents(n: number, ips: number, logins: number): AccountEvent[] {
  const out: AccountEvent[] = [];
  for (let i = 0; i < n; i++) {
    const r = random.float();
    const a = random.int(ips);
    const ip = `10.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    const login = `user${random.int(logins)}@example.com`;
    let e: AccountEvent;
    if (r < 0.45) e = { name: 'users.login.success', at: 0, 'usr.login': login, 'usr.id': login, 'usr.exists': true, 'network.client.ip': ip };
    else if (r < 0.75) e = { name: 'users.login.failure', at: 0, 'usr.login': login, 'usr.exists': random.float() < 0.7, 'network.client.ip': ip };
    else if (r < 0.85) e = { name: 'users.password_reset', at: 0, 'usr.login': login, 'usr.exists': random.float() < 0.8, 'network.client.ip': ip };
    else if (r < 0.9) e = { name: 'users.signup', at: 0, 'usr.login': login, 'network.client.ip': ip };
    else if (r < 0.93) e = { name: 'hush.guard.honeypot', at: 0, 'network.client.ip': ip };
    else if (r < 0.96) {
      // A stuffing address: many accounts from one of 50 addresses.
      e = { name: 'users.login.failure', at: 0, 'usr.login': login, 'usr.exists': true, 'network.client.ip': `192.0.2.${random.int(50)}` };
    } else e = { name: 'users.password_reset', at: 0, 'usr.login': login, 'usr.exists': true, 'network.client.ip': `198.51.100.${random.int(50)}` };
    out.push(e);
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const N = 400_000;
/** Busy but ordinary: 20,000 addresses and 50,000 accounts active in the windows. */
const events = makeEvents(N, 20_000, 50_000);
/** A rotating flood: 2.5 million addresses, 200,000 accounts. */
const flood = makeEvents(N, 2_500_000, 200_000);
const STEP = 1; // ms of simulated time per event: 400,000 events span ~7 minutes, windows slide and buckets turn

function baseline(): number {
  const counts = new Map<string, number>();
  const t0 = performance.now();
  for (let pass = 0; pass < 2; pass++) {
    for (const e of events) {
      const k = e['network.client.ip'] ?? '';
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return (2 * N) / ((performance.now() - t0) / 1000);
}

function memoryRun(events: AccountEvent[]): { perSecond: number; p99: number; signals: number } {
  const clock = new ManualClock(START);
  const engine = new DetectionEngine({ rules, state: new MemoryState(), clock, random });
  // Warm up the JIT on a slice, then measure two passes.
  for (let i = 0; i < 50_000; i++) engine.observeSync(events[i]!, clock.now());
  let now = START + 3_600_000;
  const latencies: number[] = [];
  let signals = 0;
  const t0 = performance.now();
  for (let pass = 0; pass < 2; pass++) {
    for (const e of events) {
      now += STEP;
      const s = performance.now();
      const found = engine.observeSync(e, now);
      if (found.changes.length > 0) {
        latencies.push(performance.now() - s);
        signals += found.changes.length;
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: (2 * N) / seconds, p99: percentile(latencies, 99), signals };
}

async function redisRun(url: string): Promise<{ perSecond: number; p99: number; signals: number }> {
  const prefix = `hush:bench:${process.pid}:`;
  const state = new RedisState({ redis: url, prefix });
  const clock = new ManualClock(START);
  const engine = new DetectionEngine({ rules, state, clock, random });
  const n = 60_000;
  const latencies: number[] = [];
  let signals = 0;
  let now = START;
  const t0 = performance.now();
  // Many requests in flight at once, as a server has: ioredis pipelines them.
  const concurrency = 256;
  for (let i = 0; i < n; i += concurrency) {
    await Promise.all(
      events.slice(i, i + concurrency).map(async (e) => {
        now += STEP;
        const s = performance.now();
        const found = await engine.observe(e, now);
        if (found.changes.length > 0) {
          latencies.push(performance.now() - s);
          signals += found.changes.length;
        }
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
  await state.close();
  return { perSecond: n / seconds, p99: percentile(latencies, 99), signals };
}

/**
 * The JS heap and ArrayBuffer memory (typed arrays' contents live outside the
 * heap) once collected: V8 frees dead buffers after a collection, in the
 * background, so collect until the figure stops moving.
 */
async function settledMemory(): Promise<number> {
  const read = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let last = Number.NaN;
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = read();
    if (now === last) break;
    last = now;
  }
  return last;
}

async function memoryPerGroups(groups: number): Promise<number> {
  const rule = rules.filter((r) => r.id === 'password-reset-enumeration');
  const clock = new ManualClock(START);
  const state = new MemoryState({ maxGroups: groups * 2 });
  const engine = new DetectionEngine({ rules: rule, state, clock, random });
  const before = await settledMemory();
  for (let i = 0; i < groups; i++) {
    engine.observeSync({ name: 'users.password_reset', at: START, 'usr.login': `victim${i}@example.com`, 'usr.exists': true, 'network.client.ip': `10.${i >>> 16}.${(i >>> 8) & 255}.${i & 255}` }, START);
  }
  const bytes = (await settledMemory()) - before;
  if (state.stats().groups !== groups) throw new Error('groups were evicted during the memory measure');
  return bytes;
}

const base = baseline();
const mem = memoryRun(events);
process.stdout.write(`memory state: ${Math.round(mem.perSecond).toLocaleString('en')} events/s through ${rules.length} rules (one core), ${mem.signals} signal changes, p99 event→signal ${(mem.p99 * 1000).toFixed(1)} µs\n`);
const worst = memoryRun(flood);
process.stdout.write(`memory state, rotating flood (a new address almost every event): ${Math.round(worst.perSecond).toLocaleString('en')} events/s\n`);
const redisUrl = process.env.REDIS_URL ?? process.env.HUSH_TEST_REDIS_URL;
if (redisUrl !== undefined && redisUrl !== '') {
  const red = await redisRun(redisUrl);
  process.stdout.write(`redis state:  ${Math.round(red.perSecond).toLocaleString('en')} events/s (256 in flight), ${red.signals} signal changes, p99 event→signal ${red.p99.toFixed(2)} ms\n`);
} else {
  process.stdout.write('redis state:  skipped (set REDIS_URL or HUSH_TEST_REDIS_URL)\n');
}
const bytes = await memoryPerGroups(100_000);
process.stdout.write(`memory per 100,000 live groups (one distinct value each): ${(bytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(bytes / 100_000)} bytes/group)\n`);
process.stdout.write(`detect: ${Math.round(mem.perSecond)} events/s (baseline ${Math.round(base)} map increments/s; ratio ${(mem.perSecond / base).toFixed(3)})\n`);
