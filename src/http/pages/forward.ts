import type { Context, Hono } from 'hono';
import type { FieldErrors } from './components.js';
import type { FormState } from './views-entry.js';

/**
 * The no-JavaScript path: a form posted to a page route is handed, in
 * process, to the very JSON API handler the page script calls (same guards,
 * same envelope, same timing floor), and its one reply becomes the page's
 * state. Nothing here reads an account.
 */

export interface ApiReply {
  status: number;
  ok: boolean;
  body: { message?: string; error?: { code?: string; message?: string; details?: { field?: string; reason: string }[] } } | null;
  /** Set-Cookie headers of the reply (a session opened or closed), passed on to the browser. */
  cookies: string[];
  retryAfter: string | null;
}

/** Posts `fields` form-encoded to `path` of the API, as the same client (address, user agent, cookie). */
export async function forward(api: Hono, c: Context, path: string, fields: Record<string, string>): Promise<ApiReply> {
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  for (const name of ['cookie', 'user-agent']) {
    const v = c.req.header(name);
    if (v !== undefined) headers.set(name, v);
  }
  const request = new Request(new URL(path, c.req.url), { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  const res = await api.fetch(request, c.env);
  const text = await res.text();
  let body: ApiReply['body'] = null;
  try {
    body = text === '' ? null : (JSON.parse(text) as ApiReply['body']);
  } catch {
    body = null;
  }
  return { status: res.status, ok: res.ok, body, cookies: res.headers.getSetCookie(), retryAfter: res.headers.get('retry-after') };
}

/** Only the string fields of a parsed form (a form posts nothing else). */
export function stringFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') out[k] = v;
  return out;
}

const POW_WITHOUT_SCRIPT =
  'This form checks that it is used from a real browser, which needs JavaScript. Turn JavaScript on for this site, reload the page and try again.';

/**
 * A reply as page state. Field errors are said about the field's label
 * ("Password must be at least 8 characters."); everything else, including a
 * missing proof-of-work, becomes one message for the whole form.
 */
export function stateOf(reply: ApiReply, labels: Readonly<Record<string, string>>, email?: string): FormState {
  // After success the typed address is not echoed, even into the hidden form: the page must be the same for every address.
  if (reply.ok) return { result: reply.body?.message ?? '' };
  const base: FormState = email === undefined ? {} : { email };
  const error = reply.body?.error;
  const errors: FieldErrors = {};
  const general: string[] = [];
  for (const d of error?.details ?? []) {
    const label = d.field === undefined ? undefined : labels[d.field];
    if (d.field === 'pow') general.push(POW_WITHOUT_SCRIPT);
    else if (label === undefined || d.field === undefined) general.push(error?.message ?? '');
    else errors[d.field] = `${label} ${d.reason}${/[.!?]$/.test(d.reason) ? '' : '.'}`;
  }
  if ((error?.details ?? []).length === 0) general.push(error?.message ?? 'Something went wrong. Try again.');
  const message = [...new Set(general.filter((m) => m !== ''))].join(' ');
  return { ...base, errors, ...(message === '' ? {} : { error: message }) };
}
