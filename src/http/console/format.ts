import { maskEmail } from '../../core/identifier.js';

/** Times in the console are UTC, to the second: operators compare them with logs from elsewhere. */
export function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** `13:05` or `Dec 3 13:00`, for a chart's time axis. */
export function axisTime(ms: number, withDay: boolean): string {
  const d = new Date(ms);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  if (!withDay) return hm;
  return `${d.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${d.getUTCDate()} ${hm}`;
}

/** An identifier as the console shows it unless revealed: `j***@example.com` for an address, `***` otherwise. */
export function maskIdentifier(value: string): string {
  return maskEmail(value);
}

/** A distinct value from a signal's evidence: identifiers masked, addresses and user agents as they are. */
export function maskValue(value: string): string {
  return value.includes('@') ? maskEmail(value) : value;
}

/** A number for a table: `1,234`, or `12.5` for a rate. */
export function num(n: number, digits = 0): string {
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** The group of a signal in words: `network.client.ip=203.0.113.7`, identifiers masked; "the whole app" when empty. */
export function groupText(group: Record<string, string>): string {
  const parts = Object.entries(group).map(([k, v]) => `${k}=${k === 'usr.login' ? maskIdentifier(v) : v}`);
  return parts.length === 0 ? 'the whole app' : parts.join(', ');
}
