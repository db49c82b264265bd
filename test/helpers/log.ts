import { createLogger } from '../../src/kernel/log.js';
import type { Logger } from '../../src/kernel/log.js';

/** A logger as hush builds it (JSON lines, secrets redacted), that appends each line it writes to `lines`. */
export function loggerInto(lines: string[], level = 'debug'): Logger {
  return createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
}
