/**
 * A first-come, first-served gate of `size` permits. The envelope admits a
 * flow through it before its clock starts, so that waiting for the CPU (and
 * for argon2id's threads) is spent in line, not counted as the flow's work:
 * the floor then follows what the work itself costs, not how many requests
 * happened to arrive together. It also bounds how many argon2id hashes (19 MiB
 * each) are in memory at once.
 *
 * How long a request waits depends only on the requests ahead of it, never on
 * which account it names.
 */
export class Admission {
  readonly size: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(size: number) {
    if (Number.isNaN(size) || size < 1 || (Number.isFinite(size) && !Number.isInteger(size))) throw new RangeError('admission size must be a whole number of at least 1, or Infinity');
    this.size = size;
  }

  /** Requests waiting for a permit. */
  get queued(): number {
    return this.#waiting.length - this.#head;
  }

  /** Permits in use. */
  get active(): number {
    return this.#active;
  }

  /** Resolves, in arrival order, with a function that gives the permit back (once). */
  acquire(): Promise<() => void> {
    if (this.#active < this.size && this.queued === 0) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => {
      this.#waiting.push(() => resolve(this.#releaser()));
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting[this.#head];
      if (next === undefined) {
        this.#active--;
        return;
      }
      // Hand the permit straight to the next in line.
      this.#waiting[this.#head] = undefined as unknown as () => void;
      this.#head++;
      if (this.#head === this.#waiting.length) {
        this.#waiting.length = 0;
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      next();
    };
  }
}
