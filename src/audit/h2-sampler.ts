import type { Random } from '../kernel/random.js';
import { AuditError } from './errors.js';
import type { OrderCounts } from './analyze.js';
import type { H2PairClient } from './h2.js';
import { KnownRotation, freshUnknown } from './identifiers.js';
import { buildRequest } from './request.js';
import { pause } from './sampler.js';
import type { Probe, Sample } from './types.js';

/**
 * Collects request pairs (one known, one unknown) sent together on one HTTP/2
 * connection. Which class goes first alternates pair by pair, so a bias from
 * sending order (the first stream is parsed first) cancels out and only the
 * server's processing time can move the order of the replies.
 */
export class H2Sampler {
  readonly known: Sample[] = [];
  readonly unknown: Sample[] = [];
  readonly order: OrderCounts = { pairs: 0, knownFirst: 0 };
  readonly #probe: Probe;
  readonly #client: H2PairClient;
  readonly #random: Random;
  readonly #warmup: number;
  readonly #pace: number;
  readonly #rotation: KnownRotation;
  readonly #knownSet: ReadonlySet<string>;

  constructor(probe: Probe, client: H2PairClient, opts: { random: Random; warmup: number; paceMicros: number }) {
    if (probe.setup !== undefined) throw new AuditError(`--h2 does not run setup requests (probe "${probe.name}")`);
    if (probe.steps !== undefined || (probe.repeat ?? 1) > 1 || probe.observe !== undefined) throw new AuditError(`--h2 sends single requests in pairs; it runs no sequences or observers (probe "${probe.name}")`);
    this.#probe = probe;
    this.#client = client;
    this.#random = opts.random;
    this.#warmup = opts.warmup;
    this.#pace = opts.paceMicros;
    this.#rotation = new KnownRotation(probe.known);
    this.#knownSet = new Set(probe.known.map((k) => k.toLowerCase()));
  }

  async prepare(): Promise<void> {
    for (let i = 0; i < this.#warmup; i++) await this.#pair(false);
  }

  async fill(perClass: number, onSample?: () => void): Promise<void> {
    while (this.known.length < perClass) {
      await this.#pair(true);
      onSample?.();
    }
  }

  async #pair(keep: boolean): Promise<void> {
    const shape = this.#rotation.next();
    const known = buildRequest(this.#probe, shape, undefined, this.#random);
    const unknown = buildRequest(this.#probe, freshUnknown(shape, this.#knownSet, this.#random), undefined, this.#random);
    const knownLeads = this.order.pairs % 2 === 0;
    const r = await this.#client.sendPair(knownLeads ? known : unknown, knownLeads ? unknown : known);
    const [ki, ui] = knownLeads ? [0, 1] as const : [1, 0] as const;
    if (keep) {
      this.known.push({ cls: 'known', micros: r.micros[ki], reply: r.replies[ki] });
      this.unknown.push({ cls: 'unknown', micros: r.micros[ui], reply: r.replies[ui] });
      this.order.pairs++;
      if (r.first === ki) this.order.knownFirst++;
    }
    await pause(this.#pace);
  }
}
