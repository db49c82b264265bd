import { Command, CommanderError } from 'commander';
import { registerAudit } from './audit.js';
import { registerServe } from './serve.js';
import { registerMigrate } from './migrate.js';
import { registerUser } from './user.js';
import { registerBlock } from './block.js';
import { registerApiKey } from './apikey.js';
import { registerSignals } from './signals.js';
import { registerRules } from './rules.js';
import { registerOperator } from './operator.js';
import { registerDemo } from './demo.js';
import { EXIT, reportFailure } from './shared.js';

/**
 * The `hush` command. Each subcommand lives in its own file and registers
 * itself here, in the order `hush --help` lists them.
 */
export function buildProgram(): Command {
  const program = new Command('hush')
    .description('Account flows that tell an attacker nothing, a detection engine, and an auditor.')
    .version('0.1.0')
    .showSuggestionAfterError(true);
  // Subcommands register here, in the order `hush --help` lists them.
  registerServe(program);
  registerMigrate(program);
  registerUser(program);
  registerBlock(program);
  registerApiKey(program);
  registerSignals(program);
  registerRules(program);
  registerOperator(program);
  registerDemo(program);
  registerAudit(program);
  applyExitOverride(program);
  return program;
}

function applyExitOverride(cmd: Command): void {
  cmd.exitOverride().configureOutput({
    outputError: (str, write) => write(`hush: ${str.replace(/^error: /, '').split('\n')[0] ?? ''}\n`),
  });
  for (const sub of cmd.commands) applyExitOverride(sub);
}

/** Runs the CLI and returns its exit code: 0 done, 1 failed or found, 2 bad usage. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    return reportFailure(err);
  }
}
