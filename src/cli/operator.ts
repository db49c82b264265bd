import { Command } from 'commander';
import { CliError, configFrom, emailArgument, storeOptions } from './shared.js';
import { withStores } from './store-command.js';
import { systemClock } from '../kernel/clock.js';
import { maskEmail } from '../core/identifier.js';
import { ConsoleAccessStore } from '../store/console-access.js';

/**
 * `hush operator add|list|remove`: the operator role, which opens the
 * security console (docs/console.md) to an identity's sessions. Granted from
 * the command line only: no page or API can grant it, so taking over a
 * console session does not let an attacker make itself an operator.
 */
export function registerOperator(program: Command): void {
  const operator = new Command('operator').description('grant, list and take back the operator role (who may open the security console at /console)');

  operator.addCommand(
    storeOptions(new Command('add'))
      .description('grant the operator role to an existing identity (create it first with hush user add)')
      .argument('<email>', 'the identity\'s address')
      .action(async (raw: string, opts: Record<string, unknown>) => {
        const email = emailArgument(raw, 'the address');
        await withStores(configFrom(opts), async ({ account, database }) => {
          const identity = await account.identities.findByEmail(email);
          if (identity === null) throw new CliError(`no identity has that address; create it first: hush user add --email ${email}`);
          const granted = await new ConsoleAccessStore(database.db).grant(identity.id, new Date(systemClock.now()));
          process.stdout.write(granted ? `${maskEmail(email)} (${identity.id}) is now an operator\n` : `${maskEmail(email)} (${identity.id}) was already an operator\n`);
        });
      }),
  );

  operator.addCommand(
    storeOptions(new Command('list'))
      .description('list the operators (addresses masked unless --show-emails)')
      .option('--show-emails', 'print full addresses')
      .action(async (opts: Record<string, unknown>) => {
        await withStores(configFrom(opts), async ({ database }) => {
          const rows = await new ConsoleAccessStore(database.db).list();
          for (const r of rows) process.stdout.write(`${r.identityId}\t${opts.showEmails === true ? r.email : maskEmail(r.email)}\t${r.grantedAt.toISOString()}\n`);
          process.stderr.write(`${rows.length} operator${rows.length === 1 ? '' : 's'}\n`);
        });
      }),
  );

  operator.addCommand(
    storeOptions(new Command('remove'))
      .description('take the operator role back (the identity keeps its account; its console sessions stop working at once)')
      .argument('<email>', 'the identity\'s address')
      .action(async (raw: string, opts: Record<string, unknown>) => {
        const email = emailArgument(raw, 'the address');
        await withStores(configFrom(opts), async ({ account, database }) => {
          const identity = await account.identities.findByEmail(email);
          const removed = identity === null ? false : await new ConsoleAccessStore(database.db).revoke(identity.id);
          if (!removed) throw new CliError(`${maskEmail(email)} is not an operator`);
          process.stdout.write(`${maskEmail(email)} is no longer an operator\n`);
        });
      }),
  );

  program.addCommand(operator);
}
