import type { Config } from '../kernel/config.js';
import { openDatabase } from '../store/database.js';
import type { DatabaseHandle } from '../store/database.js';
import { migrate } from '../store/migrate.js';

/** Opens the configured store, migrated, runs `work`, and always closes it (releasing the data-folder lock). */
export async function withStore<T>(config: Config, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(handle.db);
    return await work(handle);
  } finally {
    await handle.close();
  }
}
