import { AuditError } from './errors.js';
import type { ProbeClient } from './client.js';
import { renderBody, renderUrl } from './template.js';
import type { Extractor, Reply, SetupSpec } from './types.js';

/** What a setup request yields for the probes: a Cookie header and named values for templates. */
export interface SetupState {
  cookie: string | undefined;
  values: Record<string, string>;
}

/**
 * Runs a setup request (for instance a GET of the login form for its CSRF token
 * and session cookie). It is never timed and never compared: it only prepares
 * the probes, identically for both classes.
 */
export async function runSetup(client: ProbeClient, setup: SetupSpec): Promise<SetupState> {
  const headers: [string, string][] = [...setup.headers];
  let body: string | undefined;
  if (setup.body !== undefined) {
    const r = renderBody(setup.body, {});
    body = r.text;
    headers.push(['content-type', r.contentType]);
  }
  const { reply } = await client.send({ url: renderUrl(setup.url, {}), method: setup.method, headers, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 400) throw new AuditError(`setup request ${setup.method} ${setup.url} answered ${reply.status}`);
  const values: Record<string, string> = {};
  for (const [name, ex] of Object.entries(setup.extract)) {
    const v = extract(reply, ex);
    if (v === undefined) throw new AuditError(`setup request: could not extract "${name}" from its ${ex.from}`);
    values[name] = v;
  }
  return { cookie: cookieHeader(reply), values };
}

function cookieHeader(reply: Reply): string | undefined {
  const pairs = reply.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v.split(';')[0]!.trim());
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

export function extract(reply: Reply, ex: Extractor): string | undefined {
  if (ex.from === 'header') return reply.headers.find(([k]) => k === (ex.name ?? '').toLowerCase())?.[1];
  if (ex.from === 'cookie') {
    for (const [k, v] of reply.headers) {
      if (k !== 'set-cookie') continue;
      const [pair] = v.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && eq > 0 && pair.slice(0, eq).trim() === ex.name) return pair.slice(eq + 1).trim();
    }
    return undefined;
  }
  if (ex.pattern !== undefined) return new RegExp(ex.pattern).exec(reply.body)?.[1];
  if (ex.name !== undefined) {
    try {
      let cur: unknown = JSON.parse(reply.body);
      for (const part of ex.name.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
      return typeof cur === 'string' || typeof cur === 'number' ? String(cur) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
