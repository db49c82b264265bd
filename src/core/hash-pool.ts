import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PasswordParams } from './password.js';

/**
 * argon2id on a few worker threads of their own, each running at a lower CPU
 * priority (nice +10 on Linux) than the event loop.
 *
 * Why not libuv's pool, where `@node-rs/argon2`'s async calls run? There, the
 * hashes compete with the event loop for the cores on equal terms: with both
 * cores hashing, the thread that parses requests, runs queries and fires the
 * envelope's timers waits for a time slice, and every reply is late by a
 * scheduler quantum or two, which shows as a long tail of work (raising the
 * floor) and as replies sent well after it. At a lower priority the hashes
 * use every cycle the event loop leaves, and give way the moment it wakes.
 *
 * The threads use the synchronous calls of the same library with the same
 * parameters: a hash made here verifies there and the other way round.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
const os = require('node:os');
const fs = require('node:fs');
try {
  // On Linux a thread's own id names it to setpriority(2): lower this thread only.
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + workerData.nice));
} catch {}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash'
      ? argon2.hashSync(job.password, job.params)
      : argon2.verifySync(job.stored, job.password);
    parentPort.postMessage({ id: job.id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
`;

type Job = { id: number; op: 'hash'; password: string; params: PasswordParams } | { id: number; op: 'verify'; stored: string; password: string };
type Reply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

interface Pending {
  job: Job;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

/** How far below the event loop's priority the hashing threads run (nice steps; Linux allows up to 19). */
export const HASH_NICE = 10;

/** True when this platform lets a thread lower its own priority (Linux). */
export function threadPriorityAvailable(): boolean {
  try {
    readlinkSync('/proc/thread-self');
    return true;
  } catch {
    return false;
  }
}

export class HashPool {
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #argon2: string;
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a hash pool needs at least one thread');
    this.size = size;
    this.#argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2');
  }

  hash(password: string, params: PasswordParams): Promise<string> {
    return this.#submit({ id: this.#nextId++, op: 'hash', password, params }) as Promise<string>;
  }

  verify(stored: string, password: string): Promise<boolean> {
    return this.#submit({ id: this.#nextId++, op: 'verify', stored, password }) as Promise<boolean>;
  }

  /** Threads started so far (at most `size`). */
  get threads(): number {
    return this.#slots.length;
  }

  /** Hashes waiting for a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Stops the threads; what is still queued or running fails. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new Error('the hash pool is closed');
    for (const p of this.#queue.splice(0)) p.reject(error);
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.busy?.reject(error);
        slot.busy = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  #submit(job: Job): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('the hash pool is closed'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, resolve, reject };
      // Threads start when first needed (up to `size`): an instance that never hashes holds none.
      let idle = this.#slots.find((s) => s.busy === undefined);
      if (idle === undefined && this.#slots.length < this.size) {
        idle = this.#spawn();
        this.#slots.push(idle);
      }
      if (idle === undefined) this.#queue.push(pending);
      else this.#start(idle, pending);
    });
  }

  #start(slot: Slot, pending: Pending): void {
    slot.busy = pending;
    slot.worker.ref();
    slot.worker.postMessage(pending.job);
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: this.#argon2, nice: HASH_NICE } });
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (reply: Reply) => {
      const pending = slot.busy;
      if (pending === undefined || pending.job.id !== reply.id) return;
      slot.busy = undefined;
      slot.worker.unref();
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.message));
      this.#next(slot);
    });
    // A thread that dies (out of memory, a crash in the native code) fails its one hash and is replaced.
    const replace = (error: Error): void => {
      if (this.#closed) return;
      const index = this.#slots.indexOf(slot);
      if (index === -1) return;
      slot.busy?.reject(error);
      slot.busy = undefined;
      const fresh = this.#spawn();
      this.#slots[index] = fresh;
      this.#next(fresh);
    };
    worker.on('error', replace);
    worker.on('exit', (code) => replace(new Error(`a hashing thread stopped (exit code ${code})`)));
    // An idle hashing thread must not keep alive a process that has nothing else to do; a busy one
    // must (someone awaits its hash). Unref'd after the listeners: a 'message' listener refs the port again.
    worker.unref();
    return slot;
  }

  #next(slot: Slot): void {
    const pending = this.#queue.shift();
    if (pending !== undefined) this.#start(slot, pending);
  }
}
