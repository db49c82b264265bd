import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import { readBody } from '../body.js';
import { csrfRefusal } from '../csrf.js';
import { stringFields } from '../pages/state.js';

/** A console form is small: 4 KiB bounds what is read. */
export const CONSOLE_FORM_LIMIT = 4 * 1024;

/**
 * The console's own cross-site check, before anything else a post does (the
 * app's middleware checks the same; this keeps the console safe mounted alone).
 */
export function csrfGuard(c: Context, allowed: ReadonlySet<string>): Response | null {
  if (csrfRefusal(c.req.method, c.req.raw.headers, allowed) === null) return null;
  return c.json(new HushError('HUSH_CSRF').toJSON(), 403);
}

/** The posted form's string fields; a bad body is the registry's error (400, 413, 415). */
export async function readForm(c: Context): Promise<Record<string, string>> {
  return stringFields(await readBody(c.req.raw, CONSOLE_FORM_LIMIT));
}
