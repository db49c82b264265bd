import { Command } from 'commander';
import { CliError, EXIT, configFrom, emailArgument, intOption, storeOptions } from './shared.js';
import { withStores } from './store-command.js';
import { promptHidden, readStdin } from './prompt.js';
import { HushError } from '../kernel/errors.js';
import { cryptoRandom, randomId } from '../kernel/random.js';
import { systemClock } from '../kernel/clock.js';
import { maskEmail } from '../core/identifier.js';
import { PasswordHasher } from '../core/password.js';
import { PasswordPolicy } from '../core/password-policy.js';

/** `hush user add` and `hush user list`: operator tools over the same store and rules as the flows. */
export function registerUser(program: Command): void {
  const user = new Command('user').description('manage identities');

  user.addCommand(
    storeOptions(new Command('add'))
      .description('create a confirmed identity; the password comes from standard input or a prompt, never from the command line')
      .requiredOption('--email <email>', 'the address of the new identity')
      .option('--password-stdin', 'read the password from standard input')
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        const email = emailArgument(opts.email, '--email');
        const typed = opts.passwordStdin === true ? await readStdin() : await promptHidden('Password: ');
        let password: string;
        try {
          password = PasswordPolicy.withShippedList(config.passwordMinLength).check(typed);
        } catch (err) {
          throw new CliError(err instanceof HushError ? `the password ${err.details[0]?.reason ?? 'is not acceptable'}` : 'bad password', EXIT.usage);
        }
        const hasher = await PasswordHasher.create({ memoryCost: config.argon2Memory, timeCost: config.argon2Time, parallelism: config.argon2Parallelism });
        const passwordHash = await hasher.hash(password);
        await withStores(config, async ({ account }) => {
          const now = new Date(systemClock.now());
          const created = await account.identities.create({ id: randomId(cryptoRandom), email, passwordHash, verifiedAt: now, createdAt: now });
          if (created === null) throw new CliError(`an identity with that address already exists`);
          process.stdout.write(`created identity ${created.id} (${maskEmail(created.email)})\n`);
        });
      }),
  );

  user.addCommand(
    storeOptions(new Command('list'))
      .description('list identities (addresses masked unless --show-emails)')
      .option('--show-emails', 'print full addresses')
      .option('--limit <n>', 'at most this many', intOption(1, 100_000), 100)
      .option('--offset <n>', 'skip this many', intOption(0, 100_000_000), 0)
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        await withStores(config, async ({ account }) => {
          const repo = account.identities;
          const rows = await repo.list({ limit: Number(opts.limit), offset: Number(opts.offset) });
          const total = await repo.count();
          for (const r of rows) {
            const email = opts.showEmails === true ? r.email : maskEmail(r.email);
            const state = r.verifiedAt === null ? 'pending' : 'confirmed';
            process.stdout.write(`${r.id}\t${email}\t${state}\t${r.passwordHash === null ? 'no password' : 'password'}\t${r.createdAt.toISOString()}\n`);
          }
          process.stderr.write(`${rows.length} of ${total} identities\n`);
        });
      }),
  );

  program.addCommand(user);
}
