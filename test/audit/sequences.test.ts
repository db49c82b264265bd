import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport, Probe, Step } from '../../src/audit/types.js';
import { KNOWN, audit, loginProbe } from './helpers.js';
import { startLeakyServer } from './leaky-server.js';
import type { Leak, LeakyServer } from './leaky-server.js';

/** Findings as `part/channel` (a probe of one request has no part). */
function found(report: AuditReport): string[] {
  return report.endpoints.flatMap((e) => e.verdicts.filter((v) => v.finding).map((v) => `${v.part ?? '-'}/${v.channel}`));
}

function evidence(report: AuditReport, part: string, channel: string): string {
  const v = report.endpoints[0]!.verdicts.find((x) => x.part === part && x.channel === channel);
  if (v === undefined) throw new Error(`no ${part}/${channel} verdict`);
  return [v.summary, ...v.evidence].join('\n');
}

const CLIENT: [string, string] = ['x-forwarded-for', '{{client}}'];

function step(origin: string, name: string, path: string, template: string): Step {
  return { name, url: `${origin}${path}`, method: 'POST', headers: [CLIENT], body: { kind: 'json', template }, extract: {} };
}

/** Sign up with the run's password, then sign in with it. */
function signupThenLogin(origin: string): Partial<Probe> {
  return { steps: [step(origin, 'signup', '/signup', '{"email":"{{id}}","password":"{{password}}"}'), step(origin, 'login', '/login', '{"email":"{{id}}","password":"{{password}}"}')] };
}

async function withLeak<T>(leak: Leak, fn: (s: LeakyServer) => Promise<T>): Promise<T> {
  const server = await startLeakyServer({ leak, known: KNOWN });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

describe('sequence leaks of the calibration server are found on their channel, naming the step', () => {
  it('a second request within a run is a 429 for existing accounts only → status of request 2', async () => {
    const report = await withLeak({ kind: 'second-429' }, (s) => audit([loginProbe(s.url, { headers: [CLIENT], repeat: 2 })], { maxPerClass: 40 }));
    // A 429 has its own headers and body too; nothing differs in the first request.
    expect(found(report)).toContain('step 2 (request 2)/status');
    expect(found(report).filter((f) => !f.startsWith('step 2'))).toEqual([]);
    expect(evidence(report, 'step 2 (request 2)', 'status')).toMatch(/in step 2 \(request 2\)[\s\S]*status: known "429"/);
    expect(report.endpoints[0]!.parts!.map((p) => p.name)).toEqual(['step 1 (request 1)', 'step 2 (request 2)']);
  });

  it('a lockout after 3 failures, for existing accounts only → status of requests 4 and 5, not before', async () => {
    const report = await withLeak({ kind: 'lockout', after: 3 }, (s) => audit([loginProbe(s.url, { headers: [CLIENT], repeat: 5 })], { maxPerClass: 40 }));
    expect(found(report).filter((f) => f.endsWith('/status'))).toEqual(['step 4 (request 4)/status', 'step 5 (request 5)/status']);
    expect(evidence(report, 'step 4 (request 4)', 'status')).toMatch(/known "423"/);
  });

  it('"confirm your address first" after a sign-up with a password → the login step, not the sign-up', async () => {
    const report = await withLeak({ kind: 'verify-first' }, (s) => audit([loginProbe(s.url, { name: 'signup then login', ...signupThenLogin(s.origin) })], { maxPerClass: 40 }));
    const f = found(report);
    expect(f).toContain('step 2 (login)/status');
    expect(f.filter((x) => x.startsWith('step 1'))).toEqual([]);
    expect(evidence(report, 'step 2 (login)', 'status')).toMatch(/unknown "403"/);
  });

  it('200 µs of work after replying to existing accounts → the time of the observer that follows', async () => {
    const report = await withLeak({ kind: 'after-effect', micros: 200 }, (s) =>
      audit([loginProbe(s.url, { observe: { url: `${s.origin}/healthz`, method: 'GET', headers: [], waitMs: 0, before: false } })], { maxPerClass: 160 }),
    );
    expect(found(report), JSON.stringify(report.endpoints[0]!.parts!.map((p) => [p.name, p.timing.medianDiffMicros, p.timing.mannWhitney]))).toEqual(['observer GET /healthz/time']);
    const observer = report.endpoints[0]!.parts!.find((p) => p.name === 'observer GET /healthz')!;
    // The observer waits for the work: requests after a known probe are the slower ones.
    expect(observer.timing.medianDiffMicros).toBeLessThan(0);
  });

  it('a counter that moves only for existing accounts → the observer body, read before and after the run', async () => {
    const report = await withLeak({ kind: 'counter' }, (s) => audit([loginProbe(s.url, { observe: { url: `${s.origin}/counter`, method: 'GET', headers: [], waitMs: 0, before: true } })], { maxPerClass: 40 }));
    expect(found(report)).toEqual(['observer GET /counter/body']);
    expect(evidence(report, 'observer GET /counter', 'body')).toMatch(/\$\.count since before the run: known "changed by 1"/);
  });

  for (const kind of ['byte-space', 'byte-escape'] as const) {
    it(`${kind}: the same JSON in other bytes → body bytes`, async () => {
      const report = await withLeak({ kind }, (s) => audit([loginProbe(s.url)], { maxPerClass: 40 }));
      const body = report.endpoints[0]!.verdicts.find((v) => v.channel === 'body')!;
      expect(body.finding).toBe(true);
      // Parsed, the replies are the same: only the bytes tell.
      expect(body.summary).toBe('body differ: body bytes');
      expect(body.evidence.join('\n')).toMatch(kind === 'byte-space' ? /\[-: true-\]\{\+:true \+\}|: true|true / : /u002e/);
      if (kind === 'byte-space') expect(found(report)).toEqual(['-/body']);
    });
  }
});

describe('sequences and observers with no leak', () => {
  let server: LeakyServer;
  beforeAll(async () => {
    server = await startLeakyServer({ leak: { kind: 'none' }, known: KNOWN });
  });
  afterAll(() => server.close());

  // As in no-leak.test.ts: α = 1e-3 per run over every part; one run in 20 with a finding is allowed, two fail.
  it('20 runs of sign-up → login → login with a counter observer give no finding', async () => {
    const probe = (): Probe =>
      loginProbe(server.url, {
        name: 'signup, login twice',
        steps: [...signupThenLogin(server.origin).steps!, step(server.origin, 'login again', '/login', '{"email":"{{id}}","password":"{{password}}"}')],
        observe: { url: `${server.origin}/counter`, method: 'GET', headers: [], waitMs: 0, before: true },
      });
    const all: string[][] = [];
    let runsWithFinding = 0;
    for (let run = 0; run < 20; run++) {
      const report = await audit([probe()], { maxPerClass: 50, warmup: 2 });
      expect(report.bonferroni).toBe(4 * 6);
      expect(report.endpoints[0]!.verdicts.every((v) => v.smallest.length > 0)).toBe(true);
      const f = found(report);
      all.push(f);
      if (f.length > 0) runsWithFinding++;
    }
    expect(runsWithFinding, JSON.stringify(all)).toBeLessThanOrEqual(1);
  }, 120_000);
});
