import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTier } from '../helpers/env.js';
import { guardInput } from '../helpers/guard-input.js';
import { loggerInto } from '../helpers/log.js';
import { freePort } from '../helpers/port.js';
import { metricValue, rig, solve } from '../unit/guard/fixture.js';

/**
 * Redis stopped during a test. This starts its OWN redis-server on a free port
 * and kills that one; the machine's shared Redis is never touched.
 */
const tier = redisTier();

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  throw new Error('redis-server did not start');
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const children: ChildProcess[] = [];
const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
  for (const c of children) c.kill('SIGKILL');
});

describe.skipIf(tier.skip)('Redis outage', () => {
  it('the insurance limiter holds the limit and the metric shows it; when Redis is back shared limits resume', async () => {
    const port = await freePort();
    let server = await startRedis(port);
    children.push(server);
    const connect = async (): Promise<Redis> => {
      const r = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 50 });
      r.on('error', () => undefined); // expected while the server is down
      clients.push(r);
      await r.ping();
      return r;
    };
    const ra = await connect();
    const rb = await connect();
    const lines: string[] = [];
    const logger = loggerInto(lines, 'info');
    const a = await rig({ redis: ra, logger, env: { HUSH_POW_DIFFICULTY: '1000' } });
    const b = await rig({ redis: rb, clock: a.clock });
    // Each request with a fresh solution from a fresh address, so only the identifier limit is in play.
    const kinds = async (n: number, identifier: string, g = a.guards): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const address = `198.51.100.${i}`;
        const pow = await solve(await g.powChallenge('recovery', address));
        out.push((await g.check(guardInput({ identifier, address, fields: { pow } }))).kind);
      }
      return out;
    };

    // Shared: 3 on a, 2 on b, for one identifier.
    expect(await kinds(3, 'before@example.com')).toEqual(['pass', 'pass', 'pass']);
    expect(await kinds(2, 'before@example.com', b.guards)).toEqual(['pass', 'pass']);
    expect(await metricValue(a.registry, 'hush_guard_store_degraded', { store: 'limits' })).toBe(0);

    server.kill('SIGKILL');
    await until(() => ra.status !== 'ready' && rb.status !== 'ready', 'the clients to notice the outage');

    // Requests keep being answered, and the per-instance insurance limiter still holds 5 per identifier.
    expect(await kinds(6, 'during@example.com')).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'silent']);
    expect(await metricValue(a.registry, 'hush_guard_store_degraded', { store: 'limits' })).toBe(1);
    expect(await metricValue(a.registry, 'hush_guard_fallback_decisions_total', { store: 'limits' })).toBeGreaterThan(0);
    expect(await metricValue(a.registry, 'hush_guard_store_degraded', { store: 'pow_replay' })).toBe(1);
    const unreachable = lines.filter((l) => l.includes('guard store unreachable: limits'));
    expect(unreachable).toHaveLength(1); // logged once, not per request

    // Replay still refused during the outage (per-instance fallback).
    const pow = await solve(await a.guards.powChallenge('recovery', '192.0.2.1'));
    expect((await a.guards.check(guardInput({ identifier: 'replay@example.com', address: '192.0.2.1', fields: { pow } }))).kind).toBe('pass');
    expect((await a.guards.check(guardInput({ identifier: 'replay@example.com', address: '192.0.2.1', fields: { pow } }))).kind).toBe('reject');

    server = await startRedis(port);
    children.push(server);
    await until(() => ra.status === 'ready' && rb.status === 'ready', 'the clients to reconnect');
    expect(await metricValue(a.registry, 'hush_guard_store_degraded', { store: 'limits' })).toBe(0);
    expect(lines.some((l) => l.includes('guard store reachable again: limits'))).toBe(true);

    // Shared again: 3 on a and 3 on b for a new identifier: the sixth is over, whichever instance takes it.
    const after = [...(await kinds(3, 'after@example.com')), ...(await kinds(3, 'after@example.com', b.guards))];
    expect(after).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'silent']);
    await a.guards.close();
    await b.guards.close();
  });
});
