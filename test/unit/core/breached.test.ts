import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PwnedRangeCheck } from '../../../src/core/breached.js';
import { ManualClock } from '../../../src/kernel/clock.js';
import { HushError } from '../../../src/kernel/errors.js';

const BREACHED = 'P@ssw0rd-from-a-breach';
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex').toUpperCase();

/** A local server speaking the range API: `GET /range/PREFIX` → `SUFFIX:COUNT` lines, padded with zero-count lines. */
let server: Server;
let base = '';
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let mode: 'ok' | 'slow' | 'error' = 'ok';
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (mode === 'error') return void res.writeHead(503).end();
    const prefix = (req.url ?? '').replace('/range/', '');
    const digest = sha1(BREACHED);
    const lines = [`${'0'.repeat(35)}:0`, `${'F'.repeat(35)}:3`];
    if (digest.startsWith(prefix)) lines.push(`${digest.slice(5)}:42`);
    // A padding line for a password not breached: its count is 0, so it must not count.
    lines.push(`${sha1('padded but not breached').slice(5)}:0`);
    const send = (): void => void res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
    if (mode === 'slow') setTimeout(send, 1_000);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/range/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/**
 * A generous timeout unless a test is about the timeout: the first request of a run opens a connection, and on a
 * loaded machine (CI ran this beside the rest of the suite) it once took over 200 ms, which failed open.
 */
const check = (failClosed: boolean, clock = new ManualClock(), timeoutMs = 10_000): PwnedRangeCheck =>
  new PwnedRangeCheck({ url: base, timeoutMs, failClosed, clock, fetch: globalThis.fetch });

describe('breached passwords (range API, k-anonymity)', () => {
  it('refuses a breached password, sending only the 5-character prefix with padding asked for', async () => {
    mode = 'ok';
    seen.length = 0;
    const err = await check(false).check(BREACHED).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HushError);
    expect((err as HushError).code).toBe('HUSH_VALIDATION');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(`/range/${sha1(BREACHED).slice(0, 5)}`);
    expect(seen[0]?.headers['add-padding']).toBe('true');
    expect(JSON.stringify(seen)).not.toContain(sha1(BREACHED).slice(5));
  });

  it('accepts a password not in the corpus, and one that is only a padding line', async () => {
    mode = 'ok';
    await expect(check(false).check('a password nobody ever leaked 8f3k')).resolves.toBeUndefined();
    await expect(check(false).check('padded but not breached')).resolves.toBeUndefined();
  });

  it('asks once per prefix within the cache lifetime, again after it', async () => {
    mode = 'ok';
    seen.length = 0;
    const clock = new ManualClock();
    const c = check(false, clock);
    await c.check('cached one').catch(() => undefined);
    await c.check('cached one').catch(() => undefined);
    expect(seen).toHaveLength(1);
    clock.advance(24 * 3_600_000 + 1);
    await c.check('cached one').catch(() => undefined);
    expect(seen).toHaveLength(2);
  });

  it('fails open or closed, as set, when the API is slow or down', async () => {
    for (const m of ['slow', 'error'] as const) {
      mode = m;
      // The slow API answers after 1 s: a 200 ms timeout gives up on it.
      await expect(check(false, new ManualClock(), 200).check(BREACHED)).resolves.toBeUndefined();
      const err = await check(true, new ManualClock(), 200).check(BREACHED).then(() => null, (e: unknown) => e);
      expect((err as HushError).code).toBe('HUSH_BREACH_CHECK_FAILED');
    }
    mode = 'ok';
  });
});
