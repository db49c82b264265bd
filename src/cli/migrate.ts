import { Command } from 'commander';
import { configFrom, storeOptions } from './shared.js';
import { migrateDatabase } from '../hush.js';

export function registerMigrate(program: Command): void {
  program.addCommand(
    storeOptions(new Command('migrate').description('apply the database migrations and exit (safe while other instances start)')).action(
      async (opts: Record<string, unknown>) => {
        const config = configFrom(opts);
        const result = await migrateDatabase(config);
        const names = result.applied.map((m) => `${m.version} ${m.name}`).join(', ');
        process.stdout.write(result.applied.length === 0 ? `database is up to date (version ${result.current})\n` : `applied ${names}; now at version ${result.current}\n`);
      },
    ),
  );
}
