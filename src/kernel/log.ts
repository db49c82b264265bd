import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';

/** The logger every layer takes: pino's, so child loggers and levels work as people expect. */
export type Logger = PinoLogger;

/** Field names whose values are never written, at any depth. */
const SECRET_KEY = /pass(word|phrase)?|^current$|token|secret|cookie|authorization|^pow$|api[-_]?key|metrics[-_]?key|session[-_]?id|^sid$|totp|recovery[-_]?codes?|second[-_]?step|signature|smtp[-_]?url|database[-_]?url|redis[-_]?url/i;
export const REDACTED = '[redacted]';

/** Copies a value, replacing every secret-named field (at any depth) with `[redacted]`. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: value.message, stack: value.stack, ...(redactDeep({ ...value }, depth + 1) as object) };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to capture them. */
  destination?: DestinationStream;
}

/** JSON lines, secrets redacted by field name at any depth (design.md §4.2). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'hush' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (obj) => redactDeep(obj) as Record<string, unknown> },
      serializers: { err: (e: unknown) => redactDeep(e) },
    },
    options.destination,
  );
}

/** A logger that writes nothing: for tools and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
