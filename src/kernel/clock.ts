/** Time, injected everywhere so that expiry, windows and limits are tested without sleeping. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (fractional), for measuring durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: (): number => Date.now(),
  monotonic: (): number => performance.now(),
};

/** A clock that moves only when told to: for tests and rule replays. */
export class ManualClock implements Clock {
  #now: number;
  #mono = 0;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#mono;
  }

  advance(ms: number): void {
    this.#now += ms;
    this.#mono += ms;
  }

  set(epochMs: number): void {
    this.#mono += Math.max(0, epochMs - this.#now);
    this.#now = epochMs;
  }
}
