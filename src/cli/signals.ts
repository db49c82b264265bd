import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../kernel/duration.js';
import { SEVERITIES } from '../detect/rule-schema.js';
import type { Severity } from '../detect/rule-schema.js';
import type { Signal } from '../detect/signal.js';
import { publicSignal } from '../detect/webhook.js';
import type { SignalQuery } from '../detect/stores.js';
import { configFrom, intOption, storeOptions } from './shared.js';
import { withStores } from './store-command.js';

/** `hush signals [--since 1h] [--severity medium]`: what detection raised, newest first. */
export function registerSignals(program: Command): void {
  program.addCommand(
    storeOptions(new Command('signals'))
      .description('list detection signals, newest first, e.g. hush signals --since 1h --severity medium')
      .option('--since <duration>', 'only signals seen in this last while, e.g. 1h, 7d', sinceOption)
      .addOption(new Option('--severity <level>', 'at least this severity').choices([...SEVERITIES]))
      .option('--rule <id>', 'only this rule')
      .option('--limit <n>', 'at most this many (1 to 500)', intOption(1, 500), 50)
      .option('--json', 'print one JSON signal per line, with its evidence')
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ signals }) => {
          const query: SignalQuery = { limit: Number(opts.limit) };
          if (typeof opts.since === 'number') query.since = Date.now() - opts.since;
          if (typeof opts.severity === 'string') query.minSeverity = opts.severity as Severity;
          if (typeof opts.rule === 'string') query.ruleId = opts.rule;
          const page = await signals.list(query);
          for (const s of page.signals) process.stdout.write(opts.json === true ? `${JSON.stringify(publicSignal(s))}\n` : `${signalLine(s)}\n`);
          if (page.signals.length === 0 && opts.json !== true) process.stderr.write('no signals\n');
        });
      }),
  );
}

/** One line a person reads: when, how bad, which rule, for whom, and the counts behind it. */
export function signalLine(s: Signal): string {
  const group = Object.entries(s.group).map(([k, v]) => `${k}=${v}`).join(' ') || 'app-wide';
  const counts = Object.entries(s.evidence.counts)
    .filter(([, c]) => c.count > 0)
    .map(([name, c]) => `${name}: ${c.count}${c.distinct > 0 ? `/${c.distinct} distinct` : ''}${c.expected === undefined ? '' : ` (usual ${c.expected})`}`)
    .join('; ');
  return `${new Date(s.lastSeen).toISOString()}  ${s.severity.padEnd(8)}  ${s.ruleId}  ${group}  [${counts}]  ${s.id}`;
}

function sinceOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new InvalidArgumentError('not a duration; e.g. 30m, 1h, 7d');
  return ms;
}
