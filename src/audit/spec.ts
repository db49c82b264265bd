import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AuditError } from './errors.js';
import type { Random } from '../kernel/random.js';
import { toBase64Url } from '../kernel/random.js';
import { placeholders } from './template.js';
import type { BodyTemplate, Probe } from './types.js';

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
const endpointSchema = z.object({
  name: z.string().optional(),
  url: z.string(),
  method: z.string().default('POST'),
  headers: headerMap.default({}),
  ...bodyFields,
  known: z.array(z.string()).optional(),
  setup: setupSchema.optional(),
});
const specSchema = z.object({
  known: z.array(z.string()).optional(),
  headers: headerMap.default({}),
  alpha: z.number().optional(),
  samples: z.number().int().optional(),
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
    const known = e.known ?? spec.known ?? [];
    const name = e.name ?? `${e.method.toUpperCase()} ${safePath(e.url)}`;
    const body = bodyOf(e, `endpoint ${name}`);
    const probe: Probe = { name, url: e.url, method: e.method.toUpperCase(), headers: [...pairs(spec.headers), ...pairs(e.headers)], known };
    if (body !== undefined) probe.body = body;
    if (e.setup !== undefined) {
      const sb = bodyOf(e.setup, `endpoint ${name} setup`);
      probe.setup = { url: e.setup.url, method: e.setup.method.toUpperCase(), headers: pairs(e.setup.headers), extract: e.setup.extract, each: e.setup.each };
      if (sb !== undefined) probe.setup.body = sb;
    }
    validateProbe(probe, `endpoints.${i}`);
    return probe;
  });
  return { probes, ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }), ...(spec.samples === undefined ? {} : { samples: spec.samples }) };
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

/** Checks what every probe needs: an http(s) URL, a known identifier, and `{{id}}` somewhere. */
export function validateProbe(probe: Probe, where: string): void {
  let url: URL;
  try {
    url = new URL(probe.url.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    throw new AuditError(`${where}: not a URL: ${probe.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AuditError(`${where}: only http and https URLs can be audited`);
  if (probe.known.length === 0) throw new AuditError(`${where}: at least one known identifier (--known) is needed`);
  const uses = [...placeholders(probe.url), ...placeholders(probe.body?.template ?? ''), ...probe.headers.flatMap(([, v]) => placeholders(v))];
  if (!uses.includes('id')) throw new AuditError(`${where}: the request never uses {{id}}; put it in the body or URL`);
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The hush JSON API endpoints that take an identifier (issue 3), audited by `--hush`. */
export function hushProbes(base: string, known: string[], random: Random): Probe[] {
  const origin = base.replace(/\/+$/, '');
  // A fresh strong password, never a real one, long enough for any policy. Sign-up takes the
  // address alone (the password is chosen after the mailbox is proven), so no probe ever sets one.
  const strong = (): string => `${toBase64Url(random.bytes(18))}-Aa1!`;
  const loginBody = JSON.stringify({ email: '{{id}}', password: strong() });
  const idOnly = '{"email":"{{id}}"}';
  const make = (name: string, path: string, template: string): Probe => ({
    name,
    url: `${origin}${path}`,
    method: 'POST',
    headers: [['accept', 'application/json']],
    body: { kind: 'json', template },
    known,
  });
  return [
    make('signup', '/v1/signup', idOnly),
    make('login', '/v1/login', loginBody),
    make('recovery', '/v1/recovery', idOnly),
    make('magic-link', '/v1/magic-link', idOnly),
  ];
}
