import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AuditError } from './errors.js';
import { placeholders } from './template.js';

export { hushProbes } from './hush-probes.js';
import type { BodyTemplate, Observer, Probe, Step } from './types.js';

const headerMap = z.record(z.string(), z.string());
const extractor = z.object({ from: z.enum(['body', 'header', 'cookie']), name: z.string().optional(), pattern: z.string().optional() });
const bodyFields = {
  json: z.string().optional(),
  form: z.string().optional(),
  body: z.string().optional(),
  contentType: z.string().optional(),
};
const setupSchema = z.object({
  url: z.string(),
  method: z.string().default('GET'),
  headers: headerMap.default({}),
  ...bodyFields,
  extract: z.record(z.string(), extractor).default({}),
  each: z.boolean().default(false),
});
const stepSchema = z.object({
  name: z.string().optional(),
  url: z.string(),
  method: z.string().default('POST'),
  headers: headerMap.default({}),
  ...bodyFields,
  extract: z.record(z.string(), extractor).default({}),
});
const waitSchema = z.union([z.number().int().min(0).max(600_000), z.string().regex(/^\d+(ms|s)$/, 'is not a wait such as 500ms or 2s')]);
const observeSchema = z.object({
  url: z.string(),
  method: z.string().default('GET'),
  headers: headerMap.default({}),
  ...bodyFields,
  wait: waitSchema.default(0),
  before: z.boolean().default(true),
});
const endpointSchema = z.object({
  name: z.string().optional(),
  url: z.string().optional(),
  method: z.string().default('POST'),
  headers: headerMap.default({}),
  ...bodyFields,
  known: z.array(z.string()).optional(),
  setup: setupSchema.optional(),
  steps: z.array(stepSchema).min(1).max(100).optional(),
  repeat: z.number().int().min(1).max(100).optional(),
  compare: z.array(z.union([z.number().int().min(1), z.string()])).min(1).optional(),
  observe: observeSchema.optional(),
  samples: z.number().int().min(8).optional(),
});
const specSchema = z.object({
  known: z.array(z.string()).optional(),
  headers: headerMap.default({}),
  alpha: z.number().optional(),
  samples: z.number().int().optional(),
  observe: observeSchema.optional(),
  endpoints: z.array(endpointSchema).min(1),
});

export type AuditSpec = z.infer<typeof specSchema>;

/** Reads an audit spec (YAML or JSON) into probes; any problem is a usage error naming the field. */
export function loadSpec(file: string): { probes: Probe[]; alpha?: number; samples?: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuditError(`cannot read spec ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new AuditError(`spec ${file} is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditError(`spec ${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const spec = parsed.data;
  const probes = spec.endpoints.map((e, i): Probe => {
    const where = `endpoints.${i}`;
    const known = e.known ?? spec.known ?? [];
    const steps = e.steps?.map((st, j): Step => {
      const step: Step = { name: st.name ?? `${st.method.toUpperCase()} ${safePath(st.url)}`, url: st.url, method: st.method.toUpperCase(), headers: [...pairs(spec.headers), ...pairs(e.headers), ...pairs(st.headers)], extract: st.extract };
      const b = bodyOf(st, `${where}.steps.${j}`);
      if (b !== undefined) step.body = b;
      return step;
    });
    if (steps === undefined && e.url === undefined) throw new AuditError(`spec ${file}: ${where}: give url (one request) or steps (a sequence)`);
    if (steps !== undefined && (e.url !== undefined || e.repeat !== undefined)) throw new AuditError(`spec ${file}: ${where}: give url (with repeat) or steps, not both`);
    const first = steps?.[0];
    const url = first?.url ?? e.url!;
    const method = first?.method ?? e.method.toUpperCase();
    const name = e.name ?? `${method} ${safePath(url)}`;
    const probe: Probe = { name, url, method, headers: first?.headers ?? [...pairs(spec.headers), ...pairs(e.headers)], known };
    const body = first?.body ?? bodyOf(e, `endpoint ${name}`);
    if (body !== undefined) probe.body = body;
    if (steps !== undefined) probe.steps = steps;
    if (e.repeat !== undefined) probe.repeat = e.repeat;
    if (e.samples !== undefined) probe.samples = e.samples;
    if (e.compare !== undefined) probe.compare = compareIndices(e.compare, steps?.map((s) => s.name) ?? Array.from({ length: e.repeat ?? 1 }, (_, k) => `request ${k + 1}`), `spec ${file}: ${where}.compare`);
    const observe = e.observe ?? spec.observe;
    // The spec's and the endpoint's headers go with the observer too: a client address it is keyed by, a key.
    if (observe !== undefined) probe.observe = observerOf(observe, [...pairs(spec.headers), ...pairs(e.headers)], `${where}.observe`);
    if (e.setup !== undefined) {
      const sb = bodyOf(e.setup, `endpoint ${name} setup`);
      probe.setup = { url: e.setup.url, method: e.setup.method.toUpperCase(), headers: pairs(e.setup.headers), extract: e.setup.extract, each: e.setup.each };
      if (sb !== undefined) probe.setup.body = sb;
    }
    validateProbe(probe, where);
    return probe;
  });
  return { probes, ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }), ...(spec.samples === undefined ? {} : { samples: spec.samples }) };
}

/** `compare:` names steps by number (from 1) or by name. */
function compareIndices(list: readonly (number | string)[], names: readonly string[], where: string): number[] {
  const out = list.map((c) => {
    const i = typeof c === 'number' ? c - 1 : names.indexOf(c);
    if (i < 0 || i >= names.length) throw new AuditError(`${where}: no step ${JSON.stringify(c)} (steps: ${names.map((n, k) => `${k + 1} ${n}`).join(', ')})`);
    return i;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function observerOf(o: z.infer<typeof observeSchema>, shared: [string, string][], where: string): Observer {
  const waitMs = typeof o.wait === 'number' ? o.wait : o.wait.endsWith('ms') ? Number(o.wait.slice(0, -2)) : Number(o.wait.slice(0, -1)) * 1000;
  const own = pairs(o.headers);
  const names = new Set(own.map(([k]) => k));
  const observer: Observer = { url: o.url, method: o.method.toUpperCase(), headers: [...shared.filter(([k]) => !names.has(k) && k !== 'content-type'), ...own], waitMs, before: o.before };
  const b = bodyOf(o, where);
  if (b !== undefined) observer.body = b;
  return observer;
}

function pairs(h: Record<string, string>): [string, string][] {
  return Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]);
}

function bodyOf(e: { json?: string | undefined; form?: string | undefined; body?: string | undefined; contentType?: string | undefined }, where: string): BodyTemplate | undefined {
  const given = [e.json, e.form, e.body].filter((b) => b !== undefined).length;
  if (given > 1) throw new AuditError(`${where}: give only one of json, form, body`);
  if (e.json !== undefined) return { kind: 'json', template: e.json };
  if (e.form !== undefined) return { kind: 'form', template: e.form };
  if (e.body !== undefined) return { kind: 'raw', template: e.body, ...(e.contentType === undefined ? {} : { contentType: e.contentType }) };
  return undefined;
}

/** Checks what every probe needs: http(s) URLs, a known identifier, and `{{id}}` somewhere in what it sends. */
export function validateProbe(probe: Probe, where: string): void {
  const requests = probe.steps ?? [probe];
  for (const r of [...requests, ...(probe.observe === undefined ? [] : [probe.observe])]) checkUrl(r.url, where);
  if (probe.known.length === 0) throw new AuditError(`${where}: at least one known identifier (--known) is needed`);
  const uses = requests.flatMap((r) => [...placeholders(r.url), ...placeholders(r.body?.template ?? ''), ...r.headers.flatMap(([, v]) => placeholders(v))]);
  if (!uses.includes('id')) throw new AuditError(`${where}: the request never uses {{id}}; put it in the body or URL`);
  if ((probe.repeat ?? 1) > 1 && probe.steps !== undefined) throw new AuditError(`${where}: repeat applies to one request; write the steps out instead`);
}

function checkUrl(raw: string, where: string): void {
  let url: URL;
  try {
    url = new URL(raw.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    throw new AuditError(`${where}: not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AuditError(`${where}: only http and https URLs can be audited`);
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
