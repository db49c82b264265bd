import { Command, InvalidArgumentError, Option } from 'commander';
import { API_KEY_SCOPES } from '../store/api-keys.js';
import type { ApiKeyScope } from '../store/api-keys.js';
import { CliError, EXIT, configFrom, storeOptions } from './shared.js';
import { withStores } from './store-command.js';

/**
 * `hush apikey create|list|revoke`: keys for other apps to send events
 * (`--scope events`) and for operators to read signals (`--scope admin`).
 * The key is printed once, at creation; hush keeps only its hash.
 */
export function registerApiKey(program: Command): void {
  const apikey = new Command('apikey').description('API keys for POST /v1/events (scope events), GET /v1/signals and /admin (scope admin), POST /v1/session/check (scope session)');

  apikey.addCommand(
    storeOptions(new Command('create'))
      .description('create a key and print it once, e.g. hush apikey create --name app1 --scope events')
      .requiredOption('--name <name>', 'a name for the app or person using it (shown in event sources and lists)', nameOption)
      .addOption(new Option('--scope <scope...>', 'what it may do (repeatable)').choices([...API_KEY_SCOPES]).makeOptionMandatory())
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ apiKeys }) => {
          const store = apiKeys;
          if ((await store.list()).some((k) => k.name === opts.name && k.revokedAt === undefined)) throw new CliError(`a live key is already named ${String(opts.name)}; revoke it first`, EXIT.usage);
          const { record, key } = await store.create(String(opts.name), opts.scope as ApiKeyScope[]);
          process.stderr.write(`created key ${record.name} (${record.scopes.join(', ')}); it is shown only now:\n`);
          process.stdout.write(`${key}\n`);
        });
      }),
  );

  apikey.addCommand(
    storeOptions(new Command('list'))
      .description('list keys (never the keys themselves)')
      .option('--json', 'print JSON lines')
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ apiKeys }) => {
          const keys = await apiKeys.list();
          for (const k of keys) {
            const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());
            if (opts.json === true) process.stdout.write(`${JSON.stringify({ name: k.name, id: k.id, scopes: k.scopes, createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) })}\n`);
            else process.stdout.write(`${k.name}\t${k.scopes.join(',')}\tcreated ${iso(k.createdAt) ?? ''}\tlast used ${iso(k.lastUsedAt) ?? 'never'}${k.revokedAt === undefined ? '' : `\trevoked ${iso(k.revokedAt) ?? ''}`}\n`);
          }
          if (keys.length === 0 && opts.json !== true) process.stderr.write('no API keys\n');
        });
      }),
  );

  apikey.addCommand(
    storeOptions(new Command('revoke'))
      .description('revoke the live key with this name (it stops working at once)')
      .argument('<name>', 'the key name')
      .action(async (name: string, opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ apiKeys }) => {
          const done = await apiKeys.revoke(name);
          if (!done) throw new CliError(`no live key is named ${JSON.stringify(name.slice(0, 64))}`);
          process.stdout.write(`revoked ${name}\n`);
        });
      }),
  );
  program.addCommand(apikey);
}

function nameOption(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) throw new InvalidArgumentError('not a name; allowed: 1 to 64 letters, digits, . _ -');
  return value;
}
