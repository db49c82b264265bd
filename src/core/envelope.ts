import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import { Admission } from './admission.js';
import { RecentQuantile } from './quantile.js';
import { ReleaseTimer } from './release.js';

export interface EnvelopeOptions {
  clock: Clock;
  /** The smallest floor, in milliseconds (HUSH_FLOOR_MIN). */
  floorMinMs: number;
  /** The quantile of each flow's own work that the floor follows (p99.9). */
  quantile?: number;
  /** Added to the quantile, so that the work of most requests ends well before the floor. */
  marginMs?: number;
  /**
   * How long a sample of work counts towards the floor (default 5 minutes; the
   * newest 64 count whatever their age). A burst of slow work raises the
   * floor, and it comes down again once the burst is this old.
   */
  horizonMs?: number;
  /** False switches the floor off (tests that prove the timing test has power, benchmarks). */
  enabled?: boolean;
  /**
   * How many flows may do their work at once (default: no limit). The rest
   * wait in line before their clock starts, so queueing for the CPU is not
   * taken for work and does not inflate the floor; see `Admission`.
   */
  concurrency?: number;
  /**
   * How the envelope waits out the rest of the floor; injected so tests can
   * observe it. Default: a ReleaseTimer on the real monotonic clock, which
   * never wakes early and wakes within a loop turn of the moment.
   */
  sleep?: (ms: number) => Promise<void>;
}

export interface FlowTiming {
  flow: string;
  workMs: number;
  floorMs: number;
  samples: number;
}

/**
 * Runs a flow so that when its reply is ready cannot depend on which path it
 * took (design.md §2). The caller starts the envelope once the request body is
 * read and writes the reply as soon as `run` resolves; the envelope holds the
 * reply until a floor: the larger of a configured minimum and a high quantile
 * (p99.9) of that flow's own recent work, so it adapts to the machine and load.
 */
export class Envelope {
  readonly #clock: Clock;
  readonly #floorMinMs: number;
  readonly #q: number;
  readonly #marginMs: number;
  readonly #horizonMs: number;
  readonly #enabled: boolean;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #releaseAt: ((at: number) => Promise<void>) | undefined;
  readonly #work = new Map<string, RecentQuantile>();
  readonly #admission: Admission;
  readonly #timer: ReleaseTimer | undefined;
  /** The release moment of every run in flight (start + floor, real monotonic clock), by run: what `quiet` keeps clear. */
  readonly #due = new Map<number, number>();
  #runs = 0;

  constructor(options: EnvelopeOptions) {
    this.#clock = options.clock;
    this.#floorMinMs = options.floorMinMs;
    this.#q = options.quantile ?? 0.999;
    this.#marginMs = options.marginMs ?? 1;
    this.#horizonMs = options.horizonMs ?? 5 * 60_000;
    this.#enabled = options.enabled ?? true;
    if (options.sleep !== undefined) this.#sleep = options.sleep;
    else {
      // Real time, whatever clock measures the work: a floor is a promise about when a reply leaves.
      const release = new ReleaseTimer(systemClock);
      this.#sleep = (ms) => release.after(ms);
      // On the real clock the release is a moment, start + floor, not a delay counted from whenever the work ended.
      if (this.#clock === systemClock) {
        this.#releaseAt = (at) => release.until(at);
        this.#timer = release;
      }
    }
    this.#admission = new Admission(options.concurrency ?? Number.POSITIVE_INFINITY);
  }

  /** Flows waiting for their turn to work, and flows working now (for /metrics). */
  get load(): { queued: number; active: number } {
    return { queued: this.#admission.queued, active: this.#admission.active };
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The floor a request of this flow that starts now will be held to. */
  floorFor(flow: string): number {
    const q = this.#work.get(flow);
    return Math.max(this.#floorMinMs, q === undefined || q.count === 0 ? 0 : q.valueAt(this.#clock.monotonic()) + this.#marginMs);
  }

  /**
   * Runs `work` and resolves with its result (or rejects with its error) no
   * sooner than the floor after it was admitted. The clock starts at admission
   * (at once, unless `concurrency` flows are already working): call `run` once
   * the request body is read, so the network is never counted. Errors are held
   * to the floor too: a failure must not be a faster path.
   *
   * `learn`, asked once the work has ended, says whether this run did the
   * flow's full work and so may teach the floor (default: every run does). The
   * guarded-flow runner learns only from runs where the flow itself ran: a
   * client cannot pull the floor down with thousands of cheap refusals.
   */
  async run<T>(flow: string, work: () => Promise<T>, options: { learn?: () => boolean } = {}): Promise<T> {
    const release = await this.#admission.acquire();
    const startedAt = this.#clock.monotonic();
    // Decided before this request's work is known, so the floor is the same whatever path it takes.
    const floor = this.floorFor(flow);
    const run = ++this.#runs;
    if (this.#timer !== undefined && this.#enabled) this.#due.set(run, startedAt + floor);
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await work() };
    } catch (error) {
      result = { ok: false, error };
    } finally {
      // The permit goes back when the work ends, not at the floor: waiting out the floor costs nothing.
      release();
    }
    const now = this.#clock.monotonic();
    const elapsed = now - startedAt;
    if (options.learn?.() ?? true) this.#quantileOf(flow).add(elapsed, now);
    try {
      if (this.#enabled && elapsed < floor) await (this.#releaseAt === undefined ? this.#sleep(floor - elapsed) : this.#releaseAt(startedAt + floor));
    } finally {
      this.#due.delete(run);
    }
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * Resolves at a moment when no reply is due for release within `budgetMs`:
   * background work (the outbox worker's deliveries, detection) awaits it
   * before each step that runs on this thread, so a step of at most
   * `budgetMs` cannot hold up a release (design.md §4.10). A step that would
   * overlap a release waits until that reply has gone out (its release
   * moment, then one loop turn for its write). It waits at most `maxWaitMs`
   * in all, so a steady stream of replies cannot starve the outbox; under such
   * a load the overlap falls on replies of every path alike. Only on the real
   * clock with the floor on; otherwise it resolves at once.
   */
  async quiet(budgetMs = 3, maxWaitMs = 25): Promise<void> {
    const timer = this.#timer;
    if (timer === undefined || !this.#enabled) return;
    const giveUpAt = systemClock.monotonic() + maxWaitMs;
    for (;;) {
      const now = systemClock.monotonic();
      let next = Number.POSITIVE_INFINITY;
      // A moment already past belongs to a run still working beyond its floor: when it ends is not known.
      for (const at of this.#due.values()) if (at >= now && at < next) next = at;
      if (next - now > budgetMs || now >= giveUpAt) return;
      await timer.until(Math.min(next, giveUpAt));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** What the envelope has learned so far, per flow (for /metrics and benchmarks). */
  timings(): FlowTiming[] {
    return [...this.#work.entries()].map(([flow, q]) => ({ flow, workMs: q.valueAt(this.#clock.monotonic()), floorMs: this.floorFor(flow), samples: q.count }));
  }

  #quantileOf(flow: string): RecentQuantile {
    let q = this.#work.get(flow);
    if (q === undefined) {
      q = new RecentQuantile({ q: this.#q, horizonMs: this.#horizonMs });
      this.#work.set(flow, q);
    }
    return q;
  }
}
