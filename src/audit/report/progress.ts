/**
 * A one-line progress bar on stderr, only when stderr is a terminal (so logs
 * and CI output stay clean). Redraws at most every 100 ms: writing to a TTY
 * on every sample would itself disturb the timing.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #names: readonly string[];
  #last = 0;

  constructor(stream: NodeJS.WriteStream, names: readonly string[]) {
    this.#stream = stream;
    this.#names = names;
  }

  static forStderr(names: readonly string[]): ProgressBar | undefined {
    return process.stderr.isTTY ? new ProgressBar(process.stderr, names) : undefined;
  }

  update(endpoint: number, done: number, max: number): void {
    const now = performance.now();
    if (now - this.#last < 100 && done < max) return;
    this.#last = now;
    const width = 30;
    const filled = Math.min(width, Math.round((done / max) * width));
    const name = this.#names[endpoint] ?? '';
    this.#stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${endpoint + 1}/${this.#names.length} ${name.slice(0, 24).padEnd(24)} ${done}/${max}`);
  }

  done(): void {
    this.#stream.write('\r\u001b[2K');
  }
}
