import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { ConfigError, HushError } from '../kernel/errors.js';
import { normalizeIdentifier } from '../core/identifier.js';
import { loadConfig } from '../kernel/config.js';
import type { Config, ConfigFlags } from '../kernel/config.js';

/** Exit codes: 0 done, 1 failed (or, for audit, a finding), 2 bad usage or configuration. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** An error the CLI prints as one line and exits with the given code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Adds the flags that pick the data folder and the stores (flags win over the environment). */
export function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <path>', 'data folder (HUSH_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); absent: embedded PGlite')
    .option('--redis-url <url>', 'Redis URL (REDIS_URL); absent: in-memory state')
    .option('--log-level <level>', 'log level (HUSH_LOG_LEVEL)');
}

/** Reads the configuration for a command from the environment and its flags. */
export function configFrom(opts: Record<string, unknown>): Config {
  const flags: ConfigFlags = {};
  for (const key of ['host', 'port', 'dataDir', 'origin', 'databaseUrl', 'redisUrl', 'smtpUrl', 'logLevel']) {
    const v = opts[key];
    if (typeof v === 'string') flags[key] = v;
  }
  return loadConfig(process.env, flags);
}

/** Parses a whole number option or fails the command with exit 2. */
export function intOption(min: number, max: number): (value: string) => number {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`not a whole number; allowed: ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`out of range; allowed: ${min} to ${max}`);
    return n;
  };
}

/** Turns any failure of a command into one line on stderr and an exit code; never a stack trace. */
export function reportFailure(err: unknown): number {
  if (err instanceof ConfigError) {
    for (const line of err.message.split('\n')) process.stderr.write(`hush: ${line}\n`);
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    process.stderr.write(`hush: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof HushError) {
    process.stderr.write(`hush: ${err.message}\n`);
    return EXIT.failure;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`hush: ${message.split('\n')[0] ?? 'failed'}\n`);
  if (process.env.HUSH_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
  return EXIT.failure;
}

/** An address given on the command line, normalized as the flows do; a bad one is a usage error naming `label` (exit 2). */
export function emailArgument(raw: unknown, label: string): string {
  try {
    return normalizeIdentifier(raw, 'email');
  } catch (err) {
    throw new CliError(err instanceof HushError ? `${label} ${err.details[0]?.reason ?? 'is not valid'}` : `${label} is not valid`, EXIT.usage);
  }
}
