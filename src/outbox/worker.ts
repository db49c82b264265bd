import type { Registry } from 'prom-client';
import type { Deliverer } from '../core/outbox.js';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import type { Logger } from '../kernel/log.js';
import type { ClaimedMessage, OutboxQueue } from './queue.js';
import type { OutboxMetrics } from './worker-metrics.js';
import { backoffDelay } from './backoff.js';
import { outboxMetrics } from './worker-metrics.js';

export interface OutboxWorkerOptions {
  /** The outbox table (store/outbox.ts on the instance's database). */
  queue: OutboxQueue;
  /** What plugs in: one deliverer per kind (mail, event → detection, webhook). */
  deliverers: Deliverer[];
  clock: Clock;
  random: Random;
  logger: Logger;
  /** A prom-client registry owned by the caller (never the global one). */
  metrics: Registry;
  /** Rows claimed at once (default 20). */
  batchSize?: number;
  /** Pause between polls when the outbox is drained, in ms (default 1000); `wake()` cuts it short. */
  pollMs?: number;
  /** How long a claim holds its rows, in ms (default 120000): after a crash, rows come back this much later. */
  leaseMs?: number;
  /** Attempts before a row is given up (default 16: about six hours of retries with the defaults below). */
  maxAttempts?: number;
  /** Backoff after the first failure, in ms (default 5000), doubling up to `backoffMaxMs` (default one hour). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Awaited before each step the worker takes on this thread (a claim, a
   * delivery with its mark): the envelope's `quiet`, so that mail rendering,
   * detection and their queries never hold up a reply due for release
   * (design.md §4.10). Default: no wait.
   */
  pace?: () => Promise<void>;
}

/**
 * Delivers the outbox at least once (design.md §4.6). Each round claims a
 * batch under a lease, delivers the rows one at a time and records each
 * outcome before the next send: a crash resends at most the message in
 * flight (with the same Message-ID), and a clean stop resends nothing.
 * Kinds whose deliverer has `deliverMany` (events, not mail) go a run of
 * rows at a time, in one call and one mark. A failure is retried with
 * exponential backoff and jitter; a permanent one,
 * an unknown kind, or too many attempts give the row up. Logs carry row ids,
 * kinds and sanitized errors, never payloads (they hold links and tokens).
 */
export class OutboxWorker {
  readonly #repo: OutboxQueue;
  readonly #deliverers: ReadonlyMap<string, Deliverer>;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #log: Logger;
  readonly #metrics: OutboxMetrics;
  readonly #batchSize: number;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #pace: () => Promise<void>;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #woken = false;
  #interrupt: (() => void) | undefined;

  constructor(options: OutboxWorkerOptions) {
    this.#repo = options.queue;
    this.#deliverers = new Map(options.deliverers.map((d) => [d.kind, d]));
    this.#clock = options.clock;
    this.#random = options.random;
    // The caller may already have bound the component; binding it twice writes the key twice.
    this.#log = options.logger.bindings().component === undefined ? options.logger.child({ component: 'outbox' }) : options.logger;
    this.#batchSize = options.batchSize ?? 20;
    this.#pollMs = options.pollMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#maxAttempts = options.maxAttempts ?? 16;
    this.#backoff = { baseMs: options.backoffBaseMs ?? 5000, maxMs: options.backoffMaxMs ?? 3_600_000 };
    this.#pace = options.pace ?? ((): Promise<void> => Promise.resolve());
    this.#metrics = outboxMetrics(
      options.metrics,
      () => this.#repo.stats(),
      (err) => this.#log.warn({ error: describeError(err) }, 'outbox stats could not be read'),
    );
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /** Finishes the message in flight, hands the rest of its batch back, and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.#loop;
    this.#loop = undefined;
    // Stopped for good only until the next start(); runOnce() works again meanwhile (tests, tools).
    this.#stopping = false;
  }

  /** A row was just committed: poll now instead of at the next tick. */
  wake(): void {
    this.#woken = true;
    this.#interrupt?.();
  }

  /** One round: claims a batch and works through it. Returns how many rows were claimed. */
  async runOnce(): Promise<number> {
    await this.#pace();
    const batch = await this.#repo.claim(this.#batchSize, this.#leaseMs);
    let i = 0;
    while (i < batch.length) {
      const message = batch[i]!;
      // Past half its lease, a row may soon be another worker's: hand the rest back rather than risk a second send.
      if (this.#stopping || this.#clock.now() > message.leaseUntil.getTime() - this.#leaseMs / 2) {
        await this.#repo.release(batch.slice(i).map((m) => m.id));
        break;
      }
      // A run of rows whose deliverer takes them together (events) goes in one call and one mark.
      const deliverer = this.#deliverers.get(message.kind);
      let end = i + 1;
      if (deliverer?.deliverMany !== undefined) while (end < batch.length && batch[end]!.kind === message.kind) end++;
      await this.#pace();
      if (end - i > 1) await this.#deliverRun(deliverer!, batch.slice(i, end));
      else await this.#deliver(message);
      i = end;
    }
    return batch.length;
  }

  /** Several rows of one kind at once; if that fails, each alone, so each gets its own retry or verdict. */
  async #deliverRun(deliverer: Deliverer, run: readonly ClaimedMessage[]): Promise<void> {
    try {
      await deliverer.deliverMany!(run);
    } catch (err) {
      this.#log.warn({ kind: deliverer.kind, rows: run.length, error: describeError(err) }, 'outbox run failed as a whole; delivering its rows one by one');
      for (const message of run) await this.#deliver(message);
      return;
    }
    await this.#repo.markDelivered(run.map((m) => m.id));
    this.#metrics.deliveries.inc({ kind: deliverer.kind }, run.length);
    this.#log.info({ kind: deliverer.kind, rows: run.length, ids: run.map((m) => m.id) }, 'outbox rows delivered');
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (err) {
        this.#log.error({ error: describeError(err) }, 'outbox round failed; rows in it return when their lease ends');
      }
      if (this.#stopping) break;
      // A full batch means more may be due: go again without waiting.
      if (claimed < this.#batchSize) await this.#sleep(this.#pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#interrupt = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#interrupt = done;
    });
  }

  async #deliver(message: ClaimedMessage): Promise<void> {
    const { id, kind, attempts } = message;
    const deliverer = this.#deliverers.get(kind);
    if (deliverer === undefined) {
      await this.#repo.markFailed(id, `no deliverer for kind "${kind}"`);
      this.#metrics.failures.inc({ kind, outcome: 'failed' });
      this.#log.error({ id, kind }, 'outbox row of an unknown kind given up');
      return;
    }
    try {
      await deliverer.deliver(message);
    } catch (err) {
      const error = describeError(err);
      if (isPermanent(err) || attempts >= this.#maxAttempts) {
        await this.#repo.markFailed(id, error);
        this.#metrics.failures.inc({ kind, outcome: 'failed' });
        this.#log.error({ id, kind, attempts, error }, isPermanent(err) ? 'outbox row failed permanently' : 'outbox row given up after too many attempts');
      } else {
        const delay = backoffDelay(attempts, this.#random, this.#backoff);
        await this.#repo.reschedule(id, error, new Date(this.#clock.now() + delay));
        this.#metrics.failures.inc({ kind, outcome: 'retry' });
        this.#log.warn({ id, kind, attempts, retryInMs: delay, error }, 'outbox delivery failed; will retry');
      }
      return;
    }
    // Recorded before the next send: if this write fails, the round stops and the row is resent after its lease.
    await this.#repo.markDelivered(id);
    this.#metrics.deliveries.inc({ kind });
    this.#log.info({ id, kind, attempts }, 'outbox row delivered');
  }
}

function isPermanent(err: unknown): boolean {
  return err instanceof Error && err.name === 'PermanentDeliveryError';
}

/**
 * An error as one line safe for logs and the row's `last_error`: name and
 * message, with anything shaped like a URL (links hold tokens; connection
 * strings hold passwords) cut out, and a bounded length.
 */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : `non-error thrown: ${typeof err}`;
  return text.replace(/[a-z][\w+.-]*:\/\/\S+/gi, '[url]').replace(/\s+/g, ' ').slice(0, 300);
}
