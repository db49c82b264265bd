import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { cryptoRandom } from '../kernel/random.js';

/** Who and where, as the app knows them. Never a password or a token. */
export interface TrackUser {
  /** What the person typed to name the account (email, username). */
  login: string;
  /** The account's id, when it exists. */
  id?: string;
  ip?: string;
  userAgent?: string;
  /** Further flat fields, e.g. `{ mfa: true }`. */
  attrs?: Record<string, string | number | boolean>;
}

export interface TrackerOptions {
  /** hush's origin, e.g. https://id.example.com (events go to POST /v1/events). */
  endpoint: string;
  /** An API key with the `events` scope (`hush apikey create --name app1 --scope events`). */
  apiKey: string;
  /** Events per request (at most 1000). Default 100. */
  batchSize?: number;
  /** Send what is queued at least this often. Default 1 s. */
  flushIntervalMs?: number;
  /** Events held at most; past it the oldest are dropped (and counted). Default 10,000. */
  maxQueue?: number;
  /** Tries per batch before it is dropped. Default 8. */
  maxAttempts?: number;
  /** First retry delay; doubles each time (with full jitter), at most 30 s. Default 250 ms. */
  backoffMs?: number;
  /** Flush when the process is about to exit (beforeExit). Default true. */
  flushOnExit?: boolean;
  /** Told about batches that could not be delivered (never the API key). */
  onError?: (err: Error) => void;
  fetch?: typeof fetch;
  clock?: Clock;
  random?: Random;
}

export interface TrackerStats {
  queued: number;
  sent: number;
  /** Dropped because the queue was full, or a batch ran out of tries or was refused. */
  dropped: number;
  /** Events hush refused one by one (bad fields). */
  rejected: number;
}

type Wire = Record<string, unknown>;

/**
 * The `hush/track` client: another Node app reports its account events to
 * hush, the way Datadog's tracers do (`track.loginFailure({ login, exists })`).
 * Calls never throw and never wait: events are queued (bounded), sent in
 * batches in the background, retried with exponential backoff and jitter on
 * network errors, 429 and 5xx, and flushed when the process exits.
 */
export class Tracker {
  readonly #o: Required<Pick<TrackerOptions, 'batchSize' | 'flushIntervalMs' | 'maxQueue' | 'maxAttempts' | 'backoffMs'>> & TrackerOptions;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #url: string;
  #queue: Wire[] = [];
  #sending: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #stats: TrackerStats = { queued: 0, sent: 0, dropped: 0, rejected: 0 };
  readonly #onExit = (): void => void this.flush();

  constructor(options: TrackerOptions) {
    this.#o = { batchSize: 100, flushIntervalMs: 1000, maxQueue: 10_000, maxAttempts: 8, backoffMs: 250, ...options };
    this.#o.batchSize = Math.min(1000, Math.max(1, this.#o.batchSize));
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? cryptoRandom;
    this.#url = `${options.endpoint.replace(/\/+$/, '')}/v1/events`;
    this.#timer = setInterval(() => void this.#pump(), this.#o.flushIntervalMs);
    this.#timer.unref();
    if (options.flushOnExit ?? true) process.on('beforeExit', this.#onExit);
  }

  get stats(): TrackerStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  loginSuccess(user: TrackUser): void {
    this.track('users.login.success', user, { exists: true });
  }

  /** `exists` says whether the account exists: it separates enumeration from a targeted attack. */
  loginFailure(user: TrackUser & { exists: boolean }): void {
    this.track('users.login.failure', user, { exists: user.exists });
  }

  signup(user: TrackUser): void {
    this.track('users.signup', user, {});
  }

  passwordReset(user: TrackUser & { exists: boolean }): void {
    this.track('users.password_reset', user, { exists: user.exists });
  }

  passwordChange(user: TrackUser): void {
    this.track('users.password_change', user, { exists: true });
  }

  /** Any other event, by name (`namespace.event`). */
  track(name: string, user: Partial<TrackUser>, extra: { exists?: boolean } = {}): void {
    if (this.#closed) return;
    const e: Wire = { name, at: this.#clock.now() };
    if (user.login !== undefined) e['usr.login'] = user.login;
    if (user.id !== undefined) e['usr.id'] = user.id;
    if (extra.exists !== undefined) e['usr.exists'] = extra.exists;
    if (user.ip !== undefined) e['network.client.ip'] = user.ip;
    if (user.userAgent !== undefined) e['http.useragent'] = user.userAgent;
    if (user.attrs !== undefined) e.attrs = user.attrs;
    this.#queue.push(e);
    if (this.#queue.length > this.#o.maxQueue) {
      // Bounded: under an outage the newest events matter more than the oldest.
      this.#queue.splice(0, this.#queue.length - this.#o.maxQueue);
      this.#stats.dropped++;
    }
    if (this.#queue.length >= this.#o.batchSize) void this.#pump();
  }

  /** Sends everything queued now; resolves when it is delivered or given up. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) {
      await this.#pump();
      if (this.#sending) await this.#sending;
    }
  }

  /** Flushes, then stops the timer and the exit hook. Later calls are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    process.off('beforeExit', this.#onExit);
  }

  #pump(): Promise<void> {
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#o.batchSize);
      await this.#send(batch);
    }
  }

  async #send(batch: Wire[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      try {
        const res = await this.#fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#o.apiKey}` },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        const body = (await res.json().catch(() => ({}))) as { rejected?: unknown[] };
        if (res.ok) {
          const rejected = Array.isArray(body.rejected) ? body.rejected.length : 0;
          this.#stats.sent += batch.length - rejected;
          this.#stats.rejected += rejected;
          return;
        }
      } catch {
        status = 0;
      }
      const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
      if (!retryable || attempt >= this.#o.maxAttempts) {
        if (status === 400) this.#stats.rejected += batch.length;
        else this.#stats.dropped += batch.length;
        this.#o.onError?.(new Error(retryable ? `hush did not take ${batch.length} events after ${attempt} tries` : `hush refused ${batch.length} events with ${status}`));
        return;
      }
      const cap = Math.min(30_000, this.#o.backoffMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, this.#random.float() * cap).unref());
    }
  }
}
