import type { Clock } from '../kernel/clock.js';

/**
 * Wakes each waiter at a moment on the monotonic clock: never before it, and
 * as soon after it as the event loop allows.
 *
 * `setTimeout` alone does neither. Node counts a timer from the event loop's
 * cached millisecond clock, which is stale by however long the current turn
 * has run synchronously (a query on the embedded database, a reply being
 * rendered), so a timer set late in a busy turn fires early, by an amount
 * that depends on what ran before it; and it fires on a millisecond grid.
 * Here a timer only brings the loop close (to within `spinMs`), then the
 * last stretch is awaited one loop turn at a time (`setImmediate`, which
 * lets I/O run between checks) against the real monotonic clock. All waiters
 * share one timer and one spinner, earliest first.
 */
export class ReleaseTimer {
  readonly #clock: Pick<Clock, 'monotonic'>;
  readonly #spinMs: number;
  /** A binary min-heap by `at`. */
  readonly #heap: { at: number; wake: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #spinning = false;

  constructor(clock: Pick<Clock, 'monotonic'>, options: { spinMs?: number } = {}) {
    this.#clock = clock;
    this.#spinMs = options.spinMs ?? 1.5;
  }

  /** Resolves once the monotonic clock has reached `at` (ms). */
  until(at: number): Promise<void> {
    if (this.#clock.monotonic() >= at) return Promise.resolve();
    return new Promise((wake) => {
      this.#push({ at, wake });
      this.#arm();
    });
  }

  /** Resolves `ms` from now. */
  after(ms: number): Promise<void> {
    return this.until(this.#clock.monotonic() + ms);
  }

  /** Waiters not yet woken. */
  get pending(): number {
    return this.#heap.length;
  }

  #arm(): void {
    const first = this.#heap[0];
    if (first === undefined || this.#spinning) return;
    const left = first.at - this.#clock.monotonic();
    if (left <= this.#spinMs) {
      this.#spinning = true;
      setImmediate(() => this.#spin());
      return;
    }
    // One timer, for the earliest waiter; re-armed when an earlier one arrives.
    if (this.#timer !== undefined && this.#timerAt <= first.at) return;
    clearTimeout(this.#timer);
    this.#timerAt = first.at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#arm();
    }, Math.max(0, Math.floor(left - this.#spinMs)));
  }

  #spin(): void {
    const now = this.#clock.monotonic();
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) this.#pop().wake();
    const first = this.#heap[0];
    if (first !== undefined && first.at - this.#clock.monotonic() <= this.#spinMs) {
      setImmediate(() => this.#spin());
      return;
    }
    this.#spinning = false;
    this.#arm();
  }

  #push(item: { at: number; wake: () => void }): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  #pop(): { at: number; wake: () => void } {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
