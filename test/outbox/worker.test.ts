import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import type { Deliverer, OutboxMessage } from '../../src/core/outbox.js';
import { PermanentDeliveryError } from '../../src/core/outbox.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { createMailDeliverer } from '../../src/mail/deliverer.js';
import type { MailTransport, OutgoingMail } from '../../src/mail/transport.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { SeededRandom, cryptoRandom } from '../../src/kernel/random.js';
import { loggerInto } from '../helpers/log.js';
import { testDatabase } from '../helpers/targets.js';

let handle: DatabaseHandle;
let db: Kysely<Database>;
let clock: ManualClock;
let repo: OutboxRepository;
let logLines: string[];
let registry: Registry;

beforeAll(async () => {
  handle = await testDatabase();
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  await sql`DELETE FROM outbox`.execute(db);
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  repo = new OutboxRepository(db, clock, cryptoRandom);
  logLines = [];
  registry = new Registry();
});


function worker(deliverers: Deliverer[], extra: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {}): OutboxWorker {
  return new OutboxWorker({ queue: repo, deliverers, clock, random: new SeededRandom(3), logger: loggerInto(logLines), metrics: registry, backoffBaseMs: 1000, backoffMaxMs: 60_000, ...extra });
}

/** A deliverer that fails the first `failures` attempts of every row. */
function flaky(failures: number, error: () => Error = () => new Error('connection refused')): Deliverer & { seen: OutboxMessage[] } {
  const seen: OutboxMessage[] = [];
  return {
    kind: 'mail',
    seen,
    deliver(m: OutboxMessage): Promise<void> {
      seen.push(m);
      return m.attempts <= failures ? Promise.reject(error()) : Promise.resolve();
    },
  };
}

describe('OutboxWorker', () => {
  it('delivers each row once and records it', async () => {
    const d = flaky(0);
    const ids = [await repo.enqueueUnchecked('mail', { n: 1 }), await repo.enqueueUnchecked('mail', { n: 2 })];
    const w = worker([d]);
    expect(await w.runOnce()).toBe(2);
    expect(await w.runOnce()).toBe(0);
    expect(d.seen.map((m) => m.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await repo.get(id))!.deliveredAt).toBeInstanceOf(Date);
    expect(await registry.metrics()).toMatch(/hush_outbox_deliveries_total\{kind="mail"\} 2/);
  });

  it('waits for its pace (the envelope\'s quiet) before the claim and before each delivery', async () => {
    const order: string[] = [];
    const d: Deliverer = { kind: 'mail', deliver: (m) => Promise.resolve(void order.push(`deliver ${(m.payload as { n: number }).n}`)) };
    await repo.enqueueUnchecked('mail', { n: 1 });
    await repo.enqueueUnchecked('mail', { n: 2 });
    const w = worker([d], { pace: () => Promise.resolve(void order.push('pace')) });
    expect(await w.runOnce()).toBe(2);
    expect(order.filter((o) => o === 'pace')).toHaveLength(3);
    expect(order[0]).toBe('pace');
    // Every delivery comes right after a pace.
    order.forEach((o, i) => o.startsWith('deliver') && expect(order[i - 1]).toBe('pace'));
  });

  it('retries with exponential backoff and jitter, without sleeping', async () => {
    const d = flaky(3);
    const id = await repo.enqueueUnchecked('mail', {});
    const w = worker([d]);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await w.runOnce()).toBe(1);
      const row = (await repo.get(id))!;
      expect(row.lastError).toBe('Error: connection refused');
      const wait = row.nextAttemptAt.getTime() - clock.now();
      const ceiling = 1000 * 2 ** (attempt - 1);
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
      expect(wait).toBeLessThanOrEqual(ceiling);
      waits.push(wait);
      clock.advance(wait - 1);
      expect(await w.runOnce()).toBe(0); // not due yet
      clock.advance(1);
    }
    expect(await w.runOnce()).toBe(1);
    expect((await repo.get(id))!.deliveredAt).toBeInstanceOf(Date);
    expect(d.seen.map((m) => m.attempts)).toEqual([1, 2, 3, 4]);
    expect(waits[2]).toBeGreaterThan(waits[0]!);
    expect(await registry.metrics()).toMatch(/hush_outbox_failures_total\{kind="mail",outcome="retry"\} 3/);
  });

  it('gives up after maxAttempts', async () => {
    const d = flaky(100);
    const id = await repo.enqueueUnchecked('mail', {});
    const w = worker([d], { maxAttempts: 3 });
    for (let i = 0; i < 10; i++) {
      await w.runOnce();
      clock.advance(60_000);
    }
    expect(d.seen).toHaveLength(3);
    expect((await repo.get(id))!.failedAt).toBeInstanceOf(Date);
  });

  it('fails a PermanentDeliveryError and an unknown kind at once, without retrying', async () => {
    const d = flaky(100, () => new PermanentDeliveryError('recipient refused'));
    const a = await repo.enqueueUnchecked('mail', {});
    const b = await repo.enqueueUnchecked('webhook', {});
    const w = worker([d]);
    expect(await w.runOnce()).toBe(2);
    clock.advance(86_400_000);
    expect(await w.runOnce()).toBe(0);
    expect(d.seen).toHaveLength(1);
    expect(await repo.get(a)).toMatchObject({ lastError: 'PermanentDeliveryError: recipient refused', failedAt: expect.any(Date) });
    expect(await repo.get(b)).toMatchObject({ lastError: 'no deliverer for kind "webhook"', failedAt: expect.any(Date) });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/hush_outbox_failures_total\{kind="mail",outcome="failed"\} 1/);
    expect(metrics).toMatch(/hush_outbox_depth\{state="failed"\} 2/);
  });

  it('delivers a run of rows whose deliverer takes many in one call and one mark', async () => {
    const calls: string[][] = [];
    const single: string[] = [];
    const events: Deliverer = {
      kind: 'event',
      deliver: (m) => (single.push(m.id), Promise.resolve()),
      deliverMany: (ms) => (calls.push(ms.map((m) => m.id)), Promise.resolve()),
    };
    const ids = [];
    for (let n = 0; n < 5; n++) ids.push(await repo.enqueueUnchecked('event', { n }));
    const w = worker([events]);
    expect(await w.runOnce()).toBe(5);
    expect(calls).toHaveLength(1);
    expect([...calls[0]!].sort()).toEqual([...ids].sort());
    expect(single).toEqual([]);
    const marked = await db.selectFrom('outbox').select(['delivered_at']).execute();
    expect(new Set(marked.map((r) => String(r.delivered_at))).size).toBe(1);
    expect(marked.every((r) => r.delivered_at !== null)).toBe(true);
    expect(await registry.metrics()).toMatch(/hush_outbox_deliveries_total\{kind="event"\} 5/);
  });

  it('takes a failed run row by row: the bad row gets its verdict, its neighbours are delivered', async () => {
    const single: string[] = [];
    const events: Deliverer = {
      kind: 'event',
      deliver: (m) => {
        single.push(m.id);
        return (m.payload as { bad?: boolean }).bad === true ? Promise.reject(new PermanentDeliveryError('event row without a name or time')) : Promise.resolve();
      },
      deliverMany: (ms) => (ms.some((m) => (m.payload as { bad?: boolean }).bad === true) ? Promise.reject(new PermanentDeliveryError('a bad row')) : Promise.resolve()),
    };
    const good = [await repo.enqueueUnchecked('event', { n: 1 }), await repo.enqueueUnchecked('event', { n: 2 }), await repo.enqueueUnchecked('event', { n: 3 })];
    const bad = await repo.enqueueUnchecked('event', { bad: true });
    const w = worker([events]);
    expect(await w.runOnce()).toBe(4);
    expect(single).toHaveLength(4);
    for (const id of good) expect((await repo.get(id))!.deliveredAt).toBeInstanceOf(Date);
    expect(await repo.get(bad)).toMatchObject({ deliveredAt: null, failedAt: expect.any(Date) });
    expect(await w.runOnce()).toBe(0);
  });

  it('takes rows back from a worker that died, once its lease ends', async () => {
    const id = await repo.enqueueUnchecked('mail', {});
    await repo.claim(10, 30_000); // a worker that then crashed
    const d = flaky(0);
    const w = worker([d], { leaseMs: 30_000 });
    expect(await w.runOnce()).toBe(0);
    clock.advance(30_000);
    expect(await w.runOnce()).toBe(1);
    expect(d.seen).toMatchObject([{ id, attempts: 2 }]);
  });

  it('hands back the rest of a batch when its lease runs short instead of risking a second sender', async () => {
    for (let i = 0; i < 4; i++) await repo.enqueueUnchecked('mail', { i });
    const slow: Deliverer = {
      kind: 'mail',
      deliver: () => {
        clock.advance(20_000); // each send takes 20 s of a 60 s lease
        return Promise.resolve();
      },
    };
    const w = worker([slow], { leaseMs: 60_000 });
    expect(await w.runOnce()).toBe(4);
    const stats = await repo.stats();
    expect(stats.pending).toBe(2);
    // The two handed back are claimable at once, their attempt uncounted.
    const back = await repo.claim(10, 60_000);
    expect(back.map((m) => m.attempts)).toEqual([1, 1]);
  });

  it('reports depth and oldest age on scrape', async () => {
    worker([flaky(0)]);
    await repo.enqueueUnchecked('mail', {});
    clock.advance(90_000);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/hush_outbox_depth\{state="pending"\} 1/);
    expect(metrics).toMatch(/hush_outbox_oldest_age_seconds 90/);
  });

  it('never logs a payload, a link or a token', async () => {
    const sent: OutgoingMail[] = [];
    let fail = true;
    const transport: MailTransport = {
      send: (m) => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error(`451 try later (${m.text})`));
        }
        sent.push(m);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    const config = { productName: 'Acme', origin: 'https://id.acme.test', mailFrom: 'no-reply@id.acme.test' };
    const token = 'sEcReTtOkEn123';
    await repo.enqueueUnchecked('mail', { to: 'a@example.test', template: 'recovery', vars: { link: `https://id.acme.test/recovery#token=${token}` } });
    await repo.enqueueUnchecked('mail', { to: 'b@example.test', template: 'recovery', vars: { link: `https://evil.test/recovery#token=${token}` } });
    const w = worker([createMailDeliverer({ transport, config })]);
    await w.runOnce();
    clock.advance(120_000);
    await w.runOnce();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain(token);
    const log = logLines.join('');
    expect(log).toContain('outbox row delivered');
    expect(log).toContain('failed permanently');
    expect(log).not.toContain(token);
    expect(log).not.toContain('recovery#');
    const rows = await db.selectFrom('outbox').select('last_error').execute();
    expect(rows.map((r) => r.last_error ?? '').join(' ')).not.toContain(token);
  });

  it('runs in the background, wakes on demand, and stops after the message in flight', async () => {
    const delivered: string[] = [];
    let release: () => void = () => undefined;
    const gate: Deliverer = {
      kind: 'mail',
      async deliver(m) {
        if (delivered.length === 1) await new Promise<void>((r) => (release = r));
        delivered.push(m.id);
      },
    };
    const w = worker([gate], { pollMs: 60_000, batchSize: 10 });
    w.start();
    const ids = [await repo.enqueueUnchecked('mail', {}), await repo.enqueueUnchecked('mail', {}), await repo.enqueueUnchecked('mail', {})];
    w.wake();
    for (let i = 0; i < 200 && delivered.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
    const stopped = w.stop();
    release();
    await stopped;
    expect(delivered).toHaveLength(2);
    const pending = await repo.claim(10, 1000);
    // The row never tried comes back at once, its attempt uncounted.
    expect(pending.map((m) => m.id)).toEqual(ids.filter((id) => !delivered.includes(id)));
    expect(pending[0]!.attempts).toBe(1);
  });
});
