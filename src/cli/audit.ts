import { writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { runAudit } from '../audit/audit.js';
import { AuditError } from '../audit/errors.js';
import { renderHtml } from '../audit/report/html.js';
import { ProgressBar } from '../audit/report/progress.js';
import { renderTerminal } from '../audit/report/terminal.js';
import { hushSequenceProbes } from '../audit/hush-probes.js';
import { hushProbes, loadSpec, validateProbe } from '../audit/spec.js';
import type { Probe } from '../audit/types.js';
import { cryptoRandom } from '../kernel/random.js';
import { CliError, EXIT, intOption } from './shared.js';

interface AuditFlags {
  url?: string;
  spec?: string;
  hush?: string;
  method: string;
  body?: string;
  form?: string;
  known: string[];
  header: string[];
  samples?: number;
  alpha?: number;
  warmup: number;
  pace: number;
  resolution: number;
  timeout: number;
  h2?: boolean;
  repeat: number;
  observe?: string;
  observeWait: number;
  json?: string;
  html?: string;
}

/** `hush audit`: probes account endpoints and reports whether existing accounts can be told apart. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('probe account endpoints and prove, with statistics, whether existing accounts can be told from unknown ones')
    .option('--url <url>', 'one endpoint to audit ({{id}} may appear in it)')
    .option('--spec <file>', 'a YAML spec of several endpoints (see docs/audit.md)')
    .option('--hush <url>', 'audit every endpoint of a hush server that takes an identifier')
    .option('--method <method>', 'HTTP method for --url', 'POST')
    .option('--body <json>', 'JSON body template, e.g. \'{"email":"{{id}}"}\'')
    .option('--form <form>', "form body template, e.g. 'email={{id}}'")
    .option('--known <id>', 'an identifier of an existing account (repeat to rotate several)', collect, [])
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--samples <n>', 'most samples per class and endpoint (default 1000)', intOption(20, 1_000_000))
    .option('--alpha <a>', 'family-wise false-positive rate (default 1e-3)', alphaOption)
    .option('--warmup <n>', 'request pairs run and discarded before sampling', intOption(0, 100_000), 20)
    .option('--pace <us>', 'gap between requests in µs (0: one event-loop turn)', intOption(0, 10_000_000), 0)
    .option('--resolution <us>', 'stop early with no finding once differences of this many µs would have been seen', intOption(0, 10_000_000), 0)
    .option('--timeout <ms>', 'per-request timeout', intOption(100, 600_000), 10_000)
    .option('--h2', 'HTTP/2 (h2c or TLS): send pairs together and also decide from the order of the replies')
    .option('--repeat <n>', 'with --url: send the request n times in a row for one identifier and compare the k-th replies (lockouts, per-account limits)', intOption(1, 100), 1)
    .option('--observe <url>', 'with --url: a GET sent after each probe (and before it), compared across the classes of the probe before it')
    .option('--observe-wait <ms>', 'wait this long after the probe before observing', intOption(0, 600_000), 0)
    .option('--json <file>', 'write the full report as JSON')
    .option('--html <file>', 'write a self-contained HTML report with ECDF plots')
    .action(async (flags: AuditFlags) => {
      try {
        process.exitCode = await audit(flags);
      } catch (err) {
        // The audit could not produce evidence: that is a usage problem (exit 2), not a finding.
        if (err instanceof AuditError) throw new CliError(err.message, EXIT.usage);
        throw err;
      }
    });
}

async function audit(flags: AuditFlags): Promise<number> {
  const modes = [flags.url, flags.spec, flags.hush].filter((m) => m !== undefined).length;
  if (modes !== 1) throw new CliError('give exactly one of --url, --spec, --hush', EXIT.usage);
  if (flags.url === undefined && (flags.repeat > 1 || flags.observe !== undefined)) throw new CliError('--repeat and --observe go with --url (a spec says repeat: and observe: per endpoint)', EXIT.usage);
  let probes: Probe[];
  let alpha = flags.alpha;
  let samples = flags.samples;
  if (flags.spec !== undefined) {
    const spec = loadSpec(flags.spec);
    probes = spec.probes;
    alpha ??= spec.alpha;
    samples ??= spec.samples;
  } else if (flags.hush !== undefined) {
    if (flags.known.length === 0) throw new CliError('--hush needs --known with an existing account', EXIT.usage);
    probes = [...hushProbes(flags.hush, flags.known, cryptoRandom), ...hushSequenceProbes(flags.hush, flags.known)];
    for (const p of probes) validateProbe(p, '--hush');
  } else {
    probes = [urlProbe(flags)];
  }
  alpha ??= 1e-3;
  samples ??= 1000;
  if (!(alpha > 0 && alpha < 0.5)) throw new CliError('alpha must be between 0 and 0.5', EXIT.usage);
  const bar = ProgressBar.forStderr(probes.map((p) => p.name));
  const report = await runAudit(probes, {
    alpha,
    maxPerClass: samples,
    warmup: flags.warmup,
    paceMicros: flags.pace,
    h2: flags.h2 === true,
    resolutionMicros: flags.resolution,
    timeoutMs: flags.timeout,
    random: cryptoRandom,
    ...(bar === undefined ? {} : { onProgress: (i: number, done: number, max: number) => bar.update(i, done, max) }),
  }).finally(() => bar?.done());
  if (flags.json !== undefined) writeReport(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.html !== undefined) writeReport(flags.html, renderHtml(report));
  process.stdout.write(renderTerminal(report, process.stdout.isTTY && process.env.NO_COLOR === undefined));
  return report.finding ? EXIT.failure : EXIT.ok;
}

function urlProbe(flags: AuditFlags): Probe {
  if (flags.body !== undefined && flags.form !== undefined) throw new CliError('give --body or --form, not both', EXIT.usage);
  if (flags.body !== undefined) {
    try {
      JSON.parse(flags.body.replace(/\{\{\s*[\w-]+\s*\}\}/g, 'x'));
    } catch {
      throw new CliError('--body is not valid JSON (write {{id}} inside a string: "{{id}}")', EXIT.usage);
    }
  }
  const probe: Probe = { name: `${flags.method.toUpperCase()} ${pathOf(flags.url!)}`, url: flags.url!, method: flags.method.toUpperCase(), headers: flags.header.map(parseHeader), known: flags.known };
  if (flags.body !== undefined) probe.body = { kind: 'json', template: flags.body };
  if (flags.form !== undefined) probe.body = { kind: 'form', template: flags.form };
  if (flags.repeat > 1) probe.repeat = flags.repeat;
  if (flags.observe !== undefined) probe.observe = { url: flags.observe, method: 'GET', headers: probe.headers.filter(([k]) => k !== 'content-type'), waitMs: flags.observeWait, before: true };
  validateProbe(probe, '--url');
  return probe;
}

function parseHeader(h: string): [string, string] {
  const i = h.indexOf(':');
  if (i <= 0) throw new CliError(`--header must look like 'Name: value', got '${h.slice(0, 40)}'`, EXIT.usage);
  return [h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim()];
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function writeReport(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new CliError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.usage);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function alphaOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 0.5) throw new InvalidArgumentError('must be a number between 0 and 0.5, e.g. 1e-3');
  return n;
}
