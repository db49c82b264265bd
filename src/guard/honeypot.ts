/**
 * The honeypot: a form field people never see and never fill (hidden from
 * sight and from assistive technology on the hosted pages). Anything in it
 * means a form-filling bot. Whitespace counts: a person cannot type into it.
 */
export function honeypotTripped(fields: Readonly<Record<string, unknown>>, field: string): boolean {
  const value = fields[field];
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  return true;
}
