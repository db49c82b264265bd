import type { Random } from '../kernel/random.js';
import type { ProbeClient } from './client.js';
import { KnownRotation, freshUnknown } from './identifiers.js';
import { buildRequest } from './request.js';
import { runSetup } from './setup.js';
import type { SetupState } from './setup.js';
import type { AuditClass, Probe, Sample } from './types.js';

export interface SamplerOptions {
  client: ProbeClient;
  random: Random;
  /** Requests per class run first and thrown away: cold caches, JIT, connection set-up. */
  warmup: number;
  /** Gap between requests, µs; 0 still yields to the event loop once. */
  paceMicros: number;
}

/**
 * Collects timed replies for one probe. Requests go one at a time on one
 * keep-alive connection, in blocks of one known and one unknown in a random
 * order, so drift (CPU frequency, other tenants, caches warming) lands on both
 * classes alike. Between requests the sampler yields to the event loop, so
 * timers and garbage collection run in the gaps and not inside a measurement.
 */
export class Sampler {
  readonly known: Sample[] = [];
  readonly unknown: Sample[] = [];
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
  }

  /** Runs the setup request (if any) and the warm-up. */
  async prepare(): Promise<void> {
    if (this.#probe.setup !== undefined) this.#setup = await runSetup(this.#opts.client, this.#probe.setup);
    for (let i = 0; i < this.#opts.warmup; i++) await this.#pair(false);
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
      const s = await this.#one(cls, ids[cls]);
      if (keep) (cls === 'known' ? this.known : this.unknown).push(s);
      await pause(this.#opts.paceMicros);
    }
  }

  async #one(cls: AuditClass, id: string): Promise<Sample> {
    if (this.#probe.setup?.each === true) this.#setup = await runSetup(this.#opts.client, this.#probe.setup);
    const { reply, micros } = await this.#opts.client.send(buildRequest(this.#probe, id, this.#setup));
    return { cls, micros, reply };
  }
}

/** Waits about `micros` µs; below a millisecond a single event-loop turn is all a timer can give. */
export function pause(micros: number): Promise<void> {
  if (micros >= 1000) return new Promise((r) => setTimeout(r, micros / 1000));
  return new Promise((r) => setImmediate(r));
}
