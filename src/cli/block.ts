import { Command, InvalidArgumentError } from 'commander';
import { CliError, EXIT, configFrom, storeOptions } from './shared.js';
import { withStores } from './store-command.js';
import { formatDuration } from '../kernel/duration.js';
import { parseBlockDuration } from '../guard/block-list.js';

/**
 * `hush block add|list|remove`: the block list from the command line. It
 * writes the `blocks` table; running instances pick changes up within their
 * refresh (5 s). With the embedded store the data folder is locked by a running
 * server: use the admin API then (docs/defenses.md).
 */
function durationOption(value: string): number {
  const ms = parseBlockDuration(value);
  if (ms === null) throw new InvalidArgumentError('not a duration; allowed: 1s to 365d with a unit, e.g. 30m, 1h, 7d');
  return ms;
}

export function registerBlock(program: Command): void {
  const block = new Command('block').description('block addresses and CIDR ranges (silently: blocked clients get normal-looking replies)');

  block.addCommand(
    storeOptions(new Command('add'))
      .description('block an address or range for a while, e.g. hush block add 203.0.113.7 --for 1h')
      .argument('<address>', 'an IPv4/IPv6 address or CIDR range (a bare IPv6 address blocks its /64)')
      .requiredOption('--for <duration>', 'how long, e.g. 30m, 1h, 7d', durationOption)
      .option('--reason <text>', 'why (shown in lists and the admin console)', '')
      .action(async (address: string, opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ blockList }) => {
          try {
            const b = await blockList.add({ cidr: address, durationMs: Number(opts.for), reason: String(opts.reason), source: 'cli' });
            process.stdout.write(`blocked ${b.cidr} for ${formatDuration(b.expiresAt - b.createdAt)} (until ${new Date(b.expiresAt).toISOString()}), id ${b.id}\n`);
          } catch (err) {
            if (err instanceof TypeError) throw new CliError(`${JSON.stringify(address.slice(0, 64))} is not an IP address or CIDR range`, EXIT.usage);
            throw err;
          }
        });
      }),
  );

  block.addCommand(
    storeOptions(new Command('list'))
      .description('list blocks in force')
      .option('--json', 'print JSON lines')
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ blockList }) => {
          const rows = await blockList.list();
          for (const b of rows) {
            if (opts.json === true) process.stdout.write(`${JSON.stringify({ ...b, createdAt: new Date(b.createdAt).toISOString(), expiresAt: new Date(b.expiresAt).toISOString() })}\n`);
            else process.stdout.write(`${b.id}  ${b.cidr.padEnd(24)}  until ${new Date(b.expiresAt).toISOString()}  ${b.source}${b.reason ? `  ${b.reason}` : ''}\n`);
          }
          if (opts.json !== true && rows.length === 0) process.stdout.write('no blocks in force\n');
        });
      }),
  );

  block.addCommand(
    storeOptions(new Command('remove'))
      .description('lift a block by its id (see hush block list)')
      .argument('<id>', 'the block id')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ blockList }) => {
          if (!(await blockList.remove(id))) throw new CliError(`no block with id ${JSON.stringify(id.slice(0, 40))}`);
          process.stdout.write(`removed block ${id}\n`);
        });
      }),
  );

  program.addCommand(block);
}
