import type { OutgoingRequest } from './client.js';
import type { SetupState } from './setup.js';
import { renderBody, renderUrl } from './template.js';
import type { Probe } from './types.js';

/** Builds the probe request for one identifier: the same bytes for both classes except the identifier. */
export function buildRequest(probe: Probe, id: string, setup: SetupState | undefined): OutgoingRequest {
  const values: Record<string, string> = { ...(setup?.values ?? {}), id };
  const headers: [string, string][] = [...probe.headers];
  const names = new Set(headers.map(([k]) => k.toLowerCase()));
  if (setup?.cookie !== undefined && !names.has('cookie')) headers.push(['cookie', setup.cookie]);
  if (!names.has('user-agent')) headers.push(['user-agent', 'hush-audit']);
  const url = renderUrl(probe.url, values);
  if (probe.body === undefined) return { url, method: probe.method, headers };
  const body = renderBody(probe.body, values);
  if (!names.has('content-type')) headers.push(['content-type', body.contentType]);
  return { url, method: probe.method, headers, body: body.text };
}
