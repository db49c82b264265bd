import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HushError } from '../kernel/errors.js';

/**
 * The data folder's lock. The embedded database belongs to one process: a
 * second process that opens the same folder stops with a clear message
 * instead of corrupting it. A lock left by a process that died is taken over.
 */
export class DataDirLock {
  readonly #path: string;
  #held = false;

  private constructor(path: string) {
    this.#path = path;
  }

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const lock = new DataDirLock(join(dataDir, 'db.lock'));
    lock.#take();
    return lock;
  }

  #take(): void {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(this.#path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.#held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number.parseInt(readFileSync(this.#path, 'utf8'), 10);
        if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
          throw new HushError('HUSH_DATA_DIR_LOCKED', {
            message: `the data folder ${this.#path.replace(/[/\\]db\.lock$/, '')} is in use by process ${owner} (the embedded database allows one process); stop it first, or set DATABASE_URL to share a PostgreSQL database`,
          });
        }
        rmSync(this.#path, { force: true });
      }
    }
    throw new HushError('HUSH_DATA_DIR_LOCKED');
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    rmSync(this.#path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The instance secret: HUSH_SECRET when set, else generated once into the
 * data folder with mode 0600. `generated` tells the caller to log that it did.
 */
export function loadOrCreateSecret(dataDir: string, configured: string | undefined): { secret: string; generated: boolean } {
  if (configured !== undefined) return { secret: configured, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'secret');
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode !== 0o600) chmodSync(path, 0o600);
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length >= 32) return { secret, generated: false };
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, `${secret}\n`);
    closeSync(fd);
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { secret: readFileSync(path, 'utf8').trim(), generated: false };
    throw err;
  }
  return { secret, generated: true };
}
