import { Command } from 'commander';
import { sql } from 'kysely';
import { CliError, EXIT, configFrom, emailArgument, intOption, storeOptions } from './shared.js';
import { readStdin } from './prompt.js';
import { registerServe } from './serve.js';
import { createHush } from '../hush.js';
import type { Clock } from '../kernel/clock.js';
import { HushError } from '../kernel/errors.js';
import { silentLogger } from '../kernel/log.js';
import { SeededRandom, cryptoRandom, randomId, toBase64Url } from '../kernel/random.js';
import { maskEmail } from '../core/identifier.js';
import { PasswordPolicy } from '../core/password-policy.js';
import { ConsoleAccessStore } from '../store/console-access.js';
import { DEMO_USERS, ENUMERATOR, demoScenario, demoUser } from './demo-scenario.js';

/**
 * `hush demo`: fills a fresh instance with a day of ordinary traffic and four
 * attacks (demo-scenario.ts), run through the detection rules at their own
 * times, so signals open and close and blocks lapse as they would have; makes
 * an operator; then serves, so the console at /console shows it all.
 */

/** Wall time, or the time of the event being replayed: detection and the guards stamp what they do with it. */
class ReplayClock implements Clock {
  at: number | undefined;

  now(): number {
    return this.at ?? Date.now();
  }

  monotonic(): number {
    return performance.now();
  }
}

const FLAGS = ['host', 'port', 'origin', 'dataDir', 'databaseUrl', 'redisUrl', 'smtpUrl', 'logLevel'] as const;
const FLAG_NAMES: Record<(typeof FLAGS)[number], string> = { host: '--host', port: '--port', origin: '--origin', dataDir: '--data-dir', databaseUrl: '--database-url', redisUrl: '--redis-url', smtpUrl: '--smtp-url', logLevel: '--log-level' };

export function registerDemo(program: Command): void {
  program.addCommand(
    storeOptions(new Command('demo'))
      .description('fill a fresh instance with a day of traffic and four attacks, make an operator, and serve: open /console to see them')
      .option('--email <email>', 'the operator\'s address', 'operator@example.com')
      .option('--password-stdin', 'read the operator\'s password from standard input (default: a new one, printed once)')
      .option('--seed <n>', 'the scenario\'s random seed', intOption(1, 2 ** 31 - 1), 1)
      .option('--no-serve', 'fill the instance and exit')
      .option('--host <host>', 'address to listen on (HUSH_HOST)')
      .option('--port <port>', 'port to listen on (HUSH_PORT)')
      .option('--origin <origin>', 'public origin (HUSH_ORIGIN)')
      .action(async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        const email = emailArgument(opts.email, '--email');
        const typed = opts.passwordStdin === true ? await readStdin() : toBase64Url(cryptoRandom.bytes(12));
        let password: string;
        try {
          password = PasswordPolicy.withShippedList(config.passwordMinLength).check(typed);
        } catch (err) {
          throw new CliError(err instanceof HushError ? `the password ${err.details[0]?.reason ?? 'is not acceptable'}` : 'bad password', EXIT.usage);
        }

        const clock = new ReplayClock();
        const hush = await createHush({ config, logger: silentLogger(), clock, worker: false });
        try {
          const db = hush.database.db;
          const existing = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]?.n ?? 0);
          if (existing > 0) throw new CliError(`this instance already has ${existing} events; hush demo fills a fresh one (use another --data-dir or database)`);
          const now = new Date();
          for (let i = 1; i <= DEMO_USERS; i++) await hush.store.identities.create({ id: randomId(cryptoRandom), email: demoUser(i), passwordHash: null, verifiedAt: now, createdAt: now });
          const operator =
            (await hush.store.identities.findByEmail(email)) ??
            (await hush.store.identities.create({ id: randomId(cryptoRandom), email, passwordHash: await hush.flows.hasher.hash(password), verifiedAt: now, createdAt: now }));
          if (operator === null) throw new CliError('could not create the operator');
          await new ConsoleAccessStore(db).grant(operator.id, now);

          const events = demoScenario(now.getTime(), new SeededRandom(Number(opts.seed)));
          for (let i = 0; i < events.length; i += 1000) await hush.stores.events.insert(events.slice(i, i + 1000));
          for (const e of events) {
            clock.at = e.at;
            await hush.detect.detection.analyze(e, e.at);
          }
          clock.at = undefined;
          const signals = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM signals`.execute(db)).rows[0]?.n ?? 0);
          process.stdout.write(`filled: ${events.length} events over the last 24 hours, ${signals} signals (the enumerator was ${ENUMERATOR})\n`);
          process.stdout.write(`operator: ${opts.passwordStdin === true ? maskEmail(email) : `${email}  password: ${password}`}\n`);
          const where = config.port === 0 && process.env.HUSH_ORIGIN === undefined && opts.origin === undefined ? 'the address hush prints below' : config.origin;
          process.stdout.write(`sign in at ${where} (/login), turn TOTP on at /account/security, sign in again with a code, then open /console\n`);
        } finally {
          await hush.close();
        }

        if (opts.serve === false) return;
        const serve = new Command('hush');
        registerServe(serve);
        const args = FLAGS.flatMap((k) => (typeof opts[k] === 'string' ? [FLAG_NAMES[k], opts[k]] : []));
        await serve.parseAsync(['serve', ...args], { from: 'user' });
      }),
  );
}
