import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ManualClock } from '../kernel/clock.js';
import { cryptoRandom } from '../kernel/random.js';
import { formatDuration } from '../kernel/duration.js';
import { DetectionEngine } from '../detect/engine.js';
import { parseEventInput } from '../detect/event-input.js';
import { defaultRulesDir, formatRuleError, loadRules, parseRuleText, RuleLoadError } from '../detect/load-rules.js';
import { MemoryState } from '../detect/memory-state.js';
import { ruleJsonSchema } from '../detect/rule-schema.js';
import { webhookSigningKey } from '../detect/webhook.js';
import { loadOrCreateSecret } from '../store/data-dir.js';
import { CliError, EXIT, configFrom } from './shared.js';
import { signalLine } from './signals.js';

/** `hush rules check|test|schema|webhook-key`: detection rules as files, checked and replayed without a server. */
export function registerRules(program: Command): void {
  const rules = new Command('rules').description('detection rules: check the files, replay recorded events through one');

  rules.addCommand(
    new Command('check')
      .description('validate the shipped rules and those in HUSH_RULES_DIR (or --dir)')
      .option('--dir <path>', 'a folder of rule files (default: HUSH_RULES_DIR)')
      .action((opts: Record<string, unknown>) => {
        const config = configFrom({});
        const extra = typeof opts.dir === 'string' ? opts.dir : config.rulesDir;
        const dirs = [defaultRulesDir(), ...(extra === undefined ? [] : [extra])];
        try {
          const loaded = loadRules(dirs, { cwd: process.cwd() });
          process.stdout.write(`${loaded.length} rules OK (${dirs.join(', ')})\n`);
          for (const r of loaded) process.stdout.write(`  ${r.id.padEnd(28)} ${r.method.padEnd(9)} window ${formatDuration(r.windowMs).padEnd(5)} ${r.name}\n`);
        } catch (err) {
          if (!(err instanceof RuleLoadError)) throw err;
          for (const e of err.errors) process.stderr.write(`${formatRuleError(e)}\n`);
          throw new CliError(`${err.errors.length} problem${err.errors.length === 1 ? '' : 's'} in the rule files`, EXIT.failure);
        }
      }),
  );

  rules.addCommand(
    new Command('test')
      .description('replay recorded events (JSON lines, with their own timestamps) through a rule and print the signals it would raise')
      .argument('<file>', 'a rule file (.yaml)')
      .requiredOption('--events <file>', 'events, one JSON object per line (the POST /v1/events shape)')
      .option('--json', 'print each signal change as a JSON line')
      .action(async (file: string, opts: Record<string, unknown>) => {
        const { rule, errors } = parseRuleText(readText(file), file);
        if (!rule) {
          for (const e of errors) process.stderr.write(`${formatRuleError(e)}\n`);
          throw new CliError(`${file} is not a valid rule`, EXIT.usage);
        }
        const eventsFile = String(opts.events);
        const clock = new ManualClock(0);
        const engine = new DetectionEngine({ rules: [rule], state: new MemoryState(), clock, random: cryptoRandom, updateEveryMs: Number.MAX_SAFE_INTEGER });
        let n = 0;
        let bad = 0;
        let raised = 0;
        const lines = readText(eventsFile).split('\n');
        for (const [i, line] of lines.entries()) {
          if (line.trim() === '') continue;
          let raw: unknown;
          try {
            raw = JSON.parse(line);
          } catch {
            bad++;
            process.stderr.write(`${eventsFile}:${i + 1}: not valid JSON\n`);
            continue;
          }
          // Replays keep the events' own times: each is checked against its own timestamp, not today.
          const at = eventTime(raw);
          const parsed = parseEventInput(raw, at ?? clock.now(), 'replay');
          if (!parsed.ok) {
            bad++;
            process.stderr.write(`${eventsFile}:${i + 1}: ${parsed.reason}\n`);
            continue;
          }
          n++;
          clock.set(Math.max(clock.now(), parsed.event.at));
          const found = await engine.observe(parsed.event, parsed.event.at);
          for (const change of found.changes) {
            raised++;
            process.stdout.write(opts.json === true ? `${JSON.stringify({ kind: change.kind, signal: change.signal })}\n` : `${change.kind.padEnd(9)} ${signalLine(change.signal)}\n`);
          }
          for (const r of found.responses) {
            const what = r.response.kind === 'notify' ? 'notify' : `${r.response.kind} ${r.ip ?? '(no address)'} for ${formatDuration(r.response.forMs)}${r.response.kind === 'raise_pow' ? ` x${r.response.factor}` : ''}`;
            if (opts.json !== true) process.stdout.write(`          → ${what}\n`);
          }
        }
        process.stderr.write(`${n} events replayed${bad > 0 ? `, ${bad} refused` : ''}, ${raised} signal change${raised === 1 ? '' : 's'}\n`);
      }),
  );

  rules.addCommand(
    new Command('schema').description('print the JSON Schema of rule files').action(() => {
      process.stdout.write(`${JSON.stringify(ruleJsonSchema(), null, 2)}\n`);
    }),
  );

  rules.addCommand(
    new Command('webhook-key')
      .description('print the key webhook receivers verify X-Hush-Signature with (derived from HUSH_SECRET)')
      .option('--data-dir <path>', 'data folder (HUSH_DATA_DIR)')
      .action((opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        const { secret } = loadOrCreateSecret(config.dataDir, config.secret);
        process.stdout.write(`${webhookSigningKey(secret)}\n`);
      }),
  );
  program.addCommand(rules);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`cannot read ${path}`, EXIT.usage);
  }
}

function eventTime(raw: unknown): number | undefined {
  const at = raw !== null && typeof raw === 'object' ? (raw as { at?: unknown }).at : undefined;
  const t = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}
