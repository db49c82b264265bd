import { describe } from 'vitest';
import { openDatabase, openMemoryDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import { outboxRepositorySuite } from './outbox-suite.js';

outboxRepositorySuite({
  name: 'PGlite',
  async open() {
    const handle = await openMemoryDatabase();
    await migrate(handle.db);
    return { db: handle.db, close: () => handle.close() };
  },
});

const pg = postgresTier();
describe.skipIf(pg.skip)(`PostgreSQL${pg.skip ? ` (skipped: ${pg.reason})` : ''}`, () => {
  outboxRepositorySuite({
    name: 'PostgreSQL',
    async open() {
      const fresh = await freshPostgres(pg.url!);
      const handle = await openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent' });
      await migrate(handle.db);
      return {
        db: handle.db,
        close: async () => {
          await handle.close();
          await fresh.drop();
        },
      };
    },
  });
});
