import type { Random } from '../kernel/random.js';
import type { ProbeClient } from './client.js';
import { KnownRotation, freshUnknown } from './identifiers.js';
import { partNames, runSequence } from './sequence.js';
import { runSetup } from './setup.js';
import type { SetupState } from './setup.js';
import type { AuditClass, Probe, Sample } from './types.js';

/** Warm-up pairs of runs for a sequence or a probe with an observer (at most; `--warmup` lower wins). */
export const SEQUENCE_WARMUP = 2;

export interface SamplerOptions {
  client: ProbeClient;
  random: Random;
  /** Requests per class run first and thrown away: cold caches, JIT, connection set-up. */
  warmup: number;
  /** Gap between requests, µs; 0 still yields to the event loop once. */
  paceMicros: number;
}

/** The samples of one compared reply of a run (a step or the observer), per class. */
export interface PartSamples {
  name: string | undefined;
  known: Sample[];
  unknown: Sample[];
}

/**
 * Collects timed replies for one probe. Runs (one request, or a sequence and
 * its observer) go one at a time on one keep-alive connection, in blocks of
 * one known and one unknown run in a random order, so drift (CPU frequency,
 * other tenants, caches warming) lands on both classes alike. Between runs the
 * sampler yields to the event loop, so timers and garbage collection run in
 * the gaps and not inside a measurement.
 */
export class Sampler {
  readonly parts: PartSamples[];
  readonly #probe: Probe;
  readonly #opts: SamplerOptions;
  readonly #rotation: KnownRotation;
  readonly #knownSet: ReadonlySet<string>;
  #setup: SetupState | undefined;

  constructor(probe: Probe, opts: SamplerOptions) {
    this.#probe = probe;
    this.#opts = opts;
    this.#rotation = new KnownRotation(probe.known);
    this.#knownSet = new Set(probe.known.map((k) => k.toLowerCase()));
    this.parts = partNames(probe).map((name) => ({ name, known: [], unknown: [] }));
  }

  /** The first compared reply's samples (the only one for a probe of one request). */
  get known(): Sample[] {
    return this.parts[0]!.known;
  }

  get unknown(): Sample[] {
    return this.parts[0]!.unknown;
  }

  /** Runs the setup request (if any) and the warm-up. */
  async prepare(): Promise<void> {
    if (this.#probe.setup !== undefined) this.#setup = await runSetup(this.#opts.client, this.#probe.setup);
    // A sequence is several requests per run and warms the target that many times over.
    const single = this.#probe.steps === undefined && (this.#probe.repeat ?? 1) === 1 && this.#probe.observe === undefined;
    const warmup = single ? this.#opts.warmup : Math.min(this.#opts.warmup, SEQUENCE_WARMUP);
    for (let i = 0; i < warmup; i++) await this.#pair(false);
  }

  /** Adds blocks until both classes hold at least `perClass` samples. */
  async fill(perClass: number, onSample?: () => void): Promise<void> {
    while (this.known.length < perClass || this.unknown.length < perClass) {
      await this.#pair(true);
      onSample?.();
    }
  }

  async #pair(keep: boolean): Promise<void> {
    const order: AuditClass[] = this.#opts.random.int(2) === 0 ? ['known', 'unknown'] : ['unknown', 'known'];
    // Both identifiers are made before either request is sent: making a fresh
    // identifier costs CPU work (and cache state) right before the clock starts,
    // which would otherwise land on the unknown class only.
    const shape = this.#rotation.next();
    const ids: Record<AuditClass, string> = { known: shape, unknown: freshUnknown(shape, this.#knownSet, this.#opts.random) };
    for (const cls of order) {
      if (this.#probe.setup?.each === true) this.#setup = await runSetup(this.#opts.client, this.#probe.setup);
      const samples = await runSequence(this.#probe, cls, ids[cls], { client: this.#opts.client, random: this.#opts.random, knownSet: this.#knownSet, shape, setup: this.#setup });
      if (keep) for (const [i, s] of samples.entries()) (cls === 'known' ? this.parts[i]!.known : this.parts[i]!.unknown).push(s);
      await pause(this.#opts.paceMicros);
    }
  }
}

/** Waits about `micros` µs; below a millisecond a single event-loop turn is all a timer can give. */
export function pause(micros: number): Promise<void> {
  if (micros >= 1000) return new Promise((r) => setTimeout(r, micros / 1000));
  return new Promise((r) => setImmediate(r));
}
