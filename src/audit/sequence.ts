import type { Random } from '../kernel/random.js';
import { toBase64Url } from '../kernel/random.js';
import type { OutgoingRequest, ProbeClient } from './client.js';
import { freshUnknown } from './identifiers.js';
import { extract } from './setup.js';
import type { SetupState } from './setup.js';
import { fill, renderBody, renderUrl } from './template.js';
import type { AuditClass, BodyTemplate, Probe, Reply, Sample, Step } from './types.js';

/**
 * A probe is a sequence of requests run for one identifier, in order: one
 * request (today's probe), the same request `repeat` times (a lockout), or the
 * spec's `steps:` (sign up, then sign in). Each run has values of its own:
 * `{{id}}`, a fresh strong `{{password}}`, a fresh `{{client}}` address (for
 * an `X-Forwarded-For` the target trusts, so per-address state of one run
 * cannot spill into the next), `{{fresh}}` (a new unknown identifier wherever
 * it appears) and whatever earlier steps extracted. Cookies a run receives are
 * sent with its later requests, as a browser would.
 */

/** The steps a probe runs for one identifier. */
export function stepsOf(probe: Probe): Step[] {
  if (probe.steps !== undefined) return probe.steps;
  const n = probe.repeat ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const step: Step = { name: n === 1 ? probe.name : `request ${i + 1}`, url: probe.url, method: probe.method, headers: probe.headers, extract: {} };
    if (probe.body !== undefined) step.body = probe.body;
    return step;
  });
}

/** Indices of the compared steps, in order. */
export function comparedSteps(probe: Probe): number[] {
  const n = stepsOf(probe).length;
  return probe.compare ?? Array.from({ length: n }, (_, i) => i);
}

/**
 * The names of the replies of a run that are compared: each compared step,
 * then the observer. A probe of one request and no observer has one part with
 * no name (its verdicts read as before sequences existed).
 */
export function partNames(probe: Probe): (string | undefined)[] {
  const steps = stepsOf(probe);
  if (steps.length === 1 && probe.observe === undefined) return [undefined];
  const names: (string | undefined)[] = comparedSteps(probe).map((i) => `step ${i + 1} (${steps[i]!.name})`);
  if (probe.observe !== undefined) names.push(`observer ${probe.observe.method} ${pathOf(probe.observe.url)}`);
  return names;
}

export interface RunContext {
  client: ProbeClient;
  random: Random;
  knownSet: ReadonlySet<string>;
  /** The identifier fresh `{{fresh}}` values are shaped like (a known one). */
  shape: string;
  setup: SetupState | undefined;
}

/** Runs the probe once for one identifier and returns one sample per part (see partNames). */
export async function runSequence(probe: Probe, cls: AuditClass, id: string, ctx: RunContext): Promise<Sample[]> {
  const values: Record<string, string> = { ...(ctx.setup?.values ?? {}), id, password: strongPassword(ctx.random), client: clientAddress(ctx.random) };
  const jar = new CookieJar(ctx.setup?.cookie);
  const observer = probe.observe;
  let before: Reply | undefined;
  if (observer?.before === true) before = (await ctx.client.send(render(observer, values, jar, ctx))).reply;
  const steps = stepsOf(probe);
  const compared = new Set(comparedSteps(probe));
  const out: Sample[] = [];
  for (const [i, step] of steps.entries()) {
    const { reply, micros } = await ctx.client.send(render(step, values, jar, ctx));
    jar.take(reply);
    for (const [name, ex] of Object.entries(step.extract)) values[name] = extract(reply, ex) ?? '';
    if (compared.has(i)) out.push({ cls, micros, reply });
  }
  if (observer !== undefined) {
    if (observer.waitMs > 0) await new Promise((r) => setTimeout(r, observer.waitMs));
    const { reply, micros } = await ctx.client.send(render(observer, values, jar, ctx));
    out.push({ cls, micros, reply: before === undefined ? reply : { ...reply, before } });
  }
  return out;
}

type Template = Pick<Step, 'url' | 'method' | 'headers'> & { body?: BodyTemplate };

/** One request of a run: its values escaped for where they land, the run's cookies, a user agent. */
export function render(t: Template, runValues: Readonly<Record<string, string>>, jar: CookieJar | undefined, ctx: Pick<RunContext, 'random' | 'knownSet' | 'shape'>): OutgoingRequest {
  const values: Record<string, string> = { ...runValues };
  let k = 0;
  // Every `{{fresh}}` is a new unknown identifier: a sweep over distinct addresses names each once.
  const fresh = (s: string): string =>
    s.replace(/\{\{\s*fresh\s*\}\}/g, () => {
      const name = `fresh_${k++}`;
      values[name] = freshUnknown(ctx.shape, ctx.knownSet, ctx.random);
      return `{{${name}}}`;
    });
  const url = renderUrl(fresh(t.url), values);
  const headers: [string, string][] = t.headers.map(([n, v]) => [n, fill(fresh(v), values, (x) => x)]);
  const names = new Set(headers.map(([n]) => n.toLowerCase()));
  const cookie = jar?.header();
  if (cookie !== undefined && !names.has('cookie')) headers.push(['cookie', cookie]);
  if (!names.has('user-agent')) headers.push(['user-agent', 'hush-audit']);
  if (t.body === undefined) return { url, method: t.method, headers };
  const body = renderBody({ ...t.body, template: fresh(t.body.template) }, values);
  if (!names.has('content-type')) headers.push(['content-type', body.contentType]);
  return { url, method: t.method, headers, body: body.text };
}

/** The cookies one run holds: the setup's, then whatever its replies set (a session, a flow id). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  constructor(initial?: string) {
    for (const pair of (initial ?? '').split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  take(reply: Reply): void {
    for (const [k, v] of reply.headers) {
      if (k !== 'set-cookie') continue;
      const pair = v.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An emptied or expired cookie is a deletion.
      if (value === '' || /max-age=0\b|expires=thu, 01 jan 1970/i.test(v)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string | undefined {
    return this.#cookies.size === 0 ? undefined : [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A fresh strong password for one run, never a real one, long enough for any policy. */
export function strongPassword(random: Random): string {
  return `${toBase64Url(random.bytes(18))}-Aa1!`;
}

/**
 * A fresh client address for one run, from 198.18.0.0/15 (RFC 2544's
 * benchmarking range, never routed): it only ever travels in a header to the
 * target, which must be told to trust it.
 */
export function clientAddress(random: Random): string {
  return `198.${18 + random.int(2)}.${random.int(256)}.${1 + random.int(254)}`;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url.replace(/\{\{[^}]*\}\}/g, 'x'));
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
