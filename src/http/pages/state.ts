import type { Reply } from '../../core/flows/index.js';
import type { FieldErrors } from './components.js';
import type { FormState } from './views-entry.js';

/**
 * The no-JavaScript path: a form posted to a page route runs the very flow
 * the page script's JSON call runs, through core's guarded-flow runner (same
 * guards, same envelope, same timing floor, the same client address), and
 * the Outcome's one reply becomes the page's state. Nothing here reads an
 * account.
 */

/** Only the string fields of a parsed form (a form posts nothing else). */
export function stringFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') out[k] = v;
  return out;
}

const POW_WITHOUT_SCRIPT =
  'This form checks that it is used from a real browser, which needs JavaScript. Turn JavaScript on for this site, reload the page and try again.';

/** A reply's body as the error registry writes it (kernel/errors.ts `toJSON`). */
interface ReplyBody {
  message?: string;
  error?: { code?: string; message?: string; details?: { field?: string; reason: string }[] };
}

/** True for a 2xx reply. */
export function succeeded(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/**
 * A reply as page state. Field errors are said about the field's label
 * ("Password must be at least 8 characters."); everything else, including a
 * missing proof-of-work, becomes one message for the whole form.
 */
export function stateOf(reply: Reply, labels: Readonly<Record<string, string>>, email?: string): FormState {
  const body = reply.body as ReplyBody | null;
  // After success the typed address is not echoed, even into the hidden form: the page must be the same for every address.
  if (succeeded(reply)) return { result: body?.message ?? '' };
  const base: FormState = email === undefined ? {} : { email };
  const error = body?.error;
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
