import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Kysely's PostgresDialect over PGlite. PGlite is one connection, so the pool
 * hands it to one holder at a time: a transaction keeps it until it commits,
 * and everything else waits its turn. Code inside a transaction must use the
 * transaction, never the root database (it would wait for itself).
 */
export class PGlitePool implements PostgresPool {
  readonly #pg: PGlite;
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('the embedded database is closed');
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    const pg = this.#pg;
    let released = false;
    const client = {
      async query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
        const result = await pg.query<R>(sql, [...parameters]);
        return { command: commandOf(sql), rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release(): void {
        if (released) return;
        released = true;
        release();
      },
    };
    return client as PostgresPoolClient;
  }

  async end(): Promise<void> {
    this.#ended = true;
    await this.#tail;
  }
}

function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  const head = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  if (head === 'INSERT' || head === 'UPDATE' || head === 'DELETE' || head === 'MERGE') return head;
  if (head === 'WITH') {
    const main = [...sql.matchAll(/\)\s*(insert|update|delete|select)\b/gi)].pop()?.[1]?.toUpperCase();
    if (main === 'INSERT' || main === 'UPDATE' || main === 'DELETE') return main;
  }
  return 'SELECT';
}
