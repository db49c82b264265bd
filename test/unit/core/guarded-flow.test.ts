import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../src/core/envelope.js';
import { THROTTLED, runGuarded } from '../../../src/core/guarded-flow.js';
import type { GuardedDeps } from '../../../src/core/guarded-flow.js';
import type { FlowGuards, GuardInput, Verdict } from '../../../src/core/guarding.js';
import type { FlowDeps, GuardedFlow, Outcome } from '../../../src/core/flows/index.js';
import { reply } from '../../../src/core/flows/index.js';
import { ManualClock } from '../../../src/kernel/clock.js';
import { HushError, validationError } from '../../../src/kernel/errors.js';
import { createLogger } from '../../../src/kernel/log.js';

/**
 * The guarded-flow runner's own contract, on a flow and a guards port made
 * for it: what runs in which order, what each verdict answers, and that
 * every path is held to the same floor. The real guards and flows behind it
 * are tested through the API and the pages (test/http, test/guard).
 */
const DONE = reply(200, { status: 'done' });
const SILENT = reply(202, { status: 'accepted' });

/** A guards port that answers one verdict and records what it was asked. */
class ScriptedGuards implements FlowGuards {
  readonly asked: GuardInput[] = [];
  readonly after: string[] = [];
  constructor(private readonly verdict: Verdict) {}
  check(input: GuardInput): Promise<Verdict> {
    this.asked.push(input);
    return Promise.resolve(this.verdict);
  }
  loginFailed(address: string, identifier: string): Promise<void> {
    this.after.push(`failed ${address} ${identifier}`);
    return Promise.resolve();
  }
  loginSucceeded(address: string, identifier: string): Promise<void> {
    this.after.push(`ok ${address} ${identifier}`);
    return Promise.resolve();
  }
}

function rig(verdict: Verdict, work: (input: { email: string }) => Promise<Outcome> = () => Promise.resolve({ reply: DONE })): {
  deps: GuardedDeps;
  guards: ScriptedGuards;
  clock: ManualClock;
  ran: string[];
  logs: string[];
  flow: GuardedFlow<{ email: string }>;
} {
  const clock = new ManualClock();
  const guards = new ScriptedGuards(verdict);
  const ran: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'error', destination: { write: (line: string) => void logs.push(line) } });
  const flow: GuardedFlow<{ email: string }> = {
    name: 'recovery.request',
    guard: {
      action: 'recovery',
      identifier: (input) => input.email,
      silentReply: SILENT,
      after: (g, outcome, input, meta) => g.loginFailed(meta.ip, `${input.email} ${outcome.reply.status}`),
    },
    parse(fields) {
      ran.push('parse');
      if (typeof fields.email !== 'string') throw validationError('email', 'is required');
      return { email: fields.email };
    },
    async run(_deps, input) {
      ran.push('run');
      clock.advance(input.email === 'slow@example.com' ? 20 : 1);
      return work(input);
    },
  };
  const envelope = new Envelope({ clock, floorMinMs: 30, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
  return { deps: { flows: {} as FlowDeps, envelope, guards, logger }, guards, clock, ran, logs, flow };
}

const META = { ip: '203.0.113.7', userAgent: 'ua/1' };

describe('runGuarded', () => {
  it('pass: parse, then the guards with the identifier, address and user agent, then the flow, then its bookkeeping', async () => {
    const r = rig({ kind: 'pass' });
    const outcome = await runGuarded(r.deps, r.flow, { email: 'a@example.com', pow: 'x' }, META);
    expect(outcome).toEqual({ reply: DONE });
    expect(r.ran).toEqual(['parse', 'run']);
    expect(r.guards.asked).toEqual([{ action: 'recovery', address: META.ip, identifier: 'a@example.com', fields: { email: 'a@example.com', pow: 'x' }, userAgent: 'ua/1' }]);
    expect(r.guards.after).toEqual([`failed ${META.ip} a@example.com 200`]);
  });

  it('silent: the flow\'s silent reply, the flow never runs', async () => {
    const r = rig({ kind: 'silent', guard: 'blocked' });
    expect(await runGuarded(r.deps, r.flow, { email: 'a@example.com' }, META)).toEqual({ reply: SILENT });
    expect(r.ran).toEqual(['parse']);
    expect(r.guards.after).toEqual([]);
  });

  it('throttle: the one 429 and how long to wait', async () => {
    const r = rig({ kind: 'throttle', retryAfterSeconds: 42 });
    expect(await runGuarded(r.deps, r.flow, { email: 'a@example.com' }, META)).toEqual({ reply: THROTTLED, retryAfterSeconds: 42 });
    expect(THROTTLED.status).toBe(429);
    expect(r.ran).toEqual(['parse']);
  });

  it('reject: the guard\'s error as its public reply', async () => {
    const r = rig({ kind: 'reject', error: new HushError('HUSH_POW_REQUIRED') });
    const outcome = await runGuarded(r.deps, r.flow, { email: 'a@example.com' }, META);
    expect(outcome.reply).toEqual({ status: 400, body: new HushError('HUSH_POW_REQUIRED').toJSON() });
    expect(r.ran).toEqual(['parse']);
  });

  it('a validation error answers before the guards are asked; an unexpected failure is a plain 500, logged', async () => {
    const bad = rig({ kind: 'pass' });
    expect((await runGuarded(bad.deps, bad.flow, {}, META)).reply.status).toBe(400);
    expect(bad.guards.asked).toEqual([]);
    const broken = rig({ kind: 'pass' }, () => Promise.reject(new Error('database gone')));
    const outcome = await runGuarded(broken.deps, broken.flow, { email: 'a@example.com' }, META);
    expect(outcome.reply).toEqual({ status: 500, body: new HushError('HUSH_INTERNAL').toJSON() });
    expect(JSON.stringify(outcome)).not.toContain('database gone');
    expect(broken.logs.join('')).toContain('database gone');
  });

  it('only a run in which the flow did its work teaches the floor', async () => {
    const samples = (r: ReturnType<typeof rig>): number => r.deps.envelope.timings().find((t) => t.flow === 'recovery.request')?.samples ?? 0;
    const r = rig({ kind: 'pass' });
    await runGuarded(r.deps, r.flow, { email: 'a@example.com' }, META);
    expect(samples(r)).toBe(1);
    // A validation failure is cheap by design: not a sample.
    await runGuarded(r.deps, r.flow, {}, META);
    expect(samples(r)).toBe(1);
    for (const verdict of [{ kind: 'silent', guard: 'blocked' }, { kind: 'throttle', retryAfterSeconds: 1 }, { kind: 'reject', error: new HushError('HUSH_POW_REQUIRED') }] as Verdict[]) {
      const q = rig(verdict);
      await runGuarded(q.deps, q.flow, { email: 'a@example.com' }, META);
      expect(samples(q), verdict.kind).toBe(0);
    }
  });

  it('every path is released at the same floor, measured from the call', async () => {
    const verdicts: Verdict[] = [{ kind: 'pass' }, { kind: 'silent', guard: 'rate_limit' }, { kind: 'throttle', retryAfterSeconds: 1 }, { kind: 'reject', error: new HushError('HUSH_POW_INVALID') }];
    for (const verdict of verdicts) {
      for (const email of ['fast@example.com', 'slow@example.com']) {
        const r = rig(verdict);
        const start = r.clock.monotonic();
        await runGuarded(r.deps, r.flow, { email }, META);
        expect(r.clock.monotonic() - start, `${verdict.kind} ${email}`).toBe(30);
      }
    }
  });
});
