import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';

/**
 * The outbox durability suite (design.md §4.6, issue 2): a worker in a child
 * process, killed with SIGKILL in the middle of a batch, loses nothing (every
 * queued message arrives after a restart, only the one in flight may arrive
 * twice); stopped cleanly, it sends nothing twice.
 */

const N = 24;
const CHILD = join(import.meta.dirname, 'outbox-child.ts');

/** A real SMTP receiver on 127.0.0.1 that records each message's Message-ID; `hold` can keep one reply waiting. */
class Receiver {
  readonly arrivals: string[] = [];
  hold: ((messageId: string, count: number) => Promise<void>) | undefined;
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback): void => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const head = Buffer.concat(chunks).toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '(none)';
        this.arrivals.push(id);
        const held = this.hold?.(id, this.arrivals.length);
        if (held === undefined) callback();
        else void held.then(() => callback());
      });
    },
  });
  port = 0;

  async listen(): Promise<void> {
    this.server.on('error', () => undefined); // a killed client's socket errors are expected here
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Target {
  name: string;
  skip: boolean;
  /** Opens the store in this process (PGlite: only while no child has it). */
  open(): Promise<DatabaseHandle>;
  childEnv: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function pgliteTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-outbox-fault-'));
  return {
    name: 'PGlite',
    skip: false,
    open: () => openDatabase({ dataDir: dir }),
    childEnv: { OUTBOX_CHILD_DATA_DIR: dir },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function postgresTarget(): Promise<Target> {
  const tier = postgresTier();
  if (tier.skip) return { name: `PostgreSQL (skipped: ${tier.reason})`, skip: true, open: () => Promise.reject(new Error('skipped')), childEnv: {}, cleanup: () => Promise.resolve() };
  const fresh = await freshPostgres(tier.url!);
  return {
    name: 'PostgreSQL',
    skip: false,
    open: () => openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent' }),
    childEnv: { OUTBOX_CHILD_DATABASE_URL: fresh.url },
    cleanup: () => fresh.drop(),
  };
}

const children = new Set<ChildProcess>();

interface Child {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the Message-IDs the child queued (OUTBOX_CHILD_ENQUEUE), once it says `ready`. */
  ready: Promise<string[]>;
}

function startChild(target: Target, receiver: Receiver, extra: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...target.childEnv, OUTBOX_CHILD_SMTP_PORT: String(receiver.port), OUTBOX_CHILD_DELAY_MS: '25', OUTBOX_CHILD_LEASE_MS: '1500', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const ready = new Promise<string[]>((resolve) =>
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/^ready$/m.test(stdout)) resolve([...stdout.matchAll(/^queued (\S+)$/gm)].map((m) => m[1]!));
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code !== 0 && signal === null) process.stderr.write(`outbox child failed (${code}):\n${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  return { child, exited, ready };
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function counts(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/** Both durability tests against one store; the store is created (and, for PGlite, initialized) before them. */
export function outboxDurabilitySuite(target: Target): void {
  describe(`outbox durability on ${target.name}`, () => {
    const receiver = new Receiver();
    afterEach(() => {
      for (const c of children) c.kill('SIGKILL');
    });
    beforeAll(async () => {
      if (target.skip) return;
      await receiver.listen();
      const handle = await target.open();
      await migrate(handle.db);
      await handle.close();
    });
    afterAll(async () => {
      if (!target.skip) await receiver.close();
      await target.cleanup();
    });

    // Child processes on a shared machine: a bounded budget above vitest's default.
    it.skipIf(target.skip)('SIGKILL in the middle of a batch loses nothing; after a restart every message has arrived', { timeout: 50_000 }, async () => {
      receiver.arrivals.length = 0;
      const first = startChild(target, receiver, { OUTBOX_CHILD_ENQUEUE: String(N) });
      let inFlight: string | undefined;
      // The 6th message of the first batch of 10 reaches the server, and the worker dies before hearing "250 OK".
      receiver.hold = (id, count) => {
        if (count !== 6) return Promise.resolve();
        inFlight = id;
        first.child.kill('SIGKILL');
        return first.exited.then(() => undefined);
      };
      const expected = await within(20_000, 'first worker ready', first.ready);
      expect(expected).toHaveLength(N);
      expect(await within(20_000, 'first worker killed', first.exited)).toMatchObject({ signal: 'SIGKILL' });
      receiver.hold = undefined;
      const beforeCrash = receiver.arrivals.length;
      expect(beforeCrash).toBe(6);

      const second = startChild(target, receiver, { OUTBOX_CHILD_DRAIN: '1' });
      expect(await within(20_000, 'restarted worker drained the outbox', second.exited)).toMatchObject({ code: 0 });

      const seen = counts(receiver.arrivals);
      expect(expected.filter((id) => !seen.has(id))).toEqual([]);
      // At least once: only the message in flight at the kill may have arrived twice.
      const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice.every((id) => id === inFlight)).toBe(true);
      expect(receiver.arrivals.length).toBeLessThanOrEqual(N + 1);
    });

    it.skipIf(target.skip)('a clean stop (SIGTERM) mid-batch and a restart deliver every Message-ID exactly once', { timeout: 50_000 }, async () => {
      receiver.arrivals.length = 0;
      const first = startChild(target, receiver, { OUTBOX_CHILD_ENQUEUE: String(N) });
      receiver.hold = (_id, count) => {
        if (count === 4) first.child.kill('SIGTERM');
        return Promise.resolve();
      };
      const expected = await within(20_000, 'first worker ready', first.ready);
      expect(await within(20_000, 'first worker stopped', first.exited)).toMatchObject({ code: 0 });
      receiver.hold = undefined;
      expect(receiver.arrivals.length).toBeLessThan(N);

      const second = startChild(target, receiver, { OUTBOX_CHILD_DRAIN: '1' });
      expect(await within(20_000, 'restarted worker drained the outbox', second.exited)).toMatchObject({ code: 0 });
      expect([...receiver.arrivals].sort()).toEqual([...expected].sort());
    });
  });
}
