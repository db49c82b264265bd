import { messages as wire, parse, protocol } from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** Named statements kept prepared at most; the least recently used is closed past this. */
export const STATEMENT_CACHE_SIZE = 256;

/** Longest run of back-to-back queries (ms) before the event loop gets a turn. */
const SLICE_MS = 2;

const { serialize } = protocol;
/** Statements worth preparing: the DML a flow repeats. Everything else (BEGIN, DDL, …) runs unnamed. */
const CACHEABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** Statements that change the schema: prepared plans of the old schema are dropped after them. */
const DDL = /^\s*(create|alter|drop|truncate|comment|grant|revoke)\b/i;

/**
 * Kysely's PostgresDialect over PGlite. PGlite is one connection, so the pool
 * hands it to one holder at a time: a transaction keeps it until it commits,
 * and everything else waits its turn. Code inside a transaction must use the
 * transaction, never the root database (it would wait for itself). Only this
 * pool talks to its PGlite instance.
 *
 * A query is one call into the database, not six: Parse, Bind, Describe,
 * Execute and Sync go in one protocol message (PGlite's own `query` makes a
 * round trip for each, plus a Describe of the parameters). Repeated
 * statements are prepared once under a name, so PostgreSQL parses and plans
 * them once; the names live in a bounded LRU and are dropped after any schema
 * change. Parameters are sent as text, typed by the server from their
 * context, with node-postgres's conventions for JS values (see `toText`).
 * Through Kysely, a select, an insert and a BEGIN + COMMIT each cost less
 * than half the CPU they took over `query` (`npm run bench -- pglite-query`),
 * and the database holds the event loop for that much less time.
 */
export class PGlitePool implements PostgresPool {
  readonly #pg: PGlite;
  readonly #statements = new Map<string, string>();
  #nextName = 0;
  /** When the current run of queries without an event-loop turn began; undefined once the loop has turned. */
  #sliceStart: number | undefined;
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  /** Statements prepared right now (for tests). */
  get prepared(): number {
    return this.#statements.size;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('the embedded database is closed');
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    let released = false;
    const client = {
      query: <R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> => this.#query<R>(sql, parameters),
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

  async #query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    const values = parameters.map(toText);
    const parts: Uint8Array[] = [];
    let name = '';
    let parsedNow = false;
    if (CACHEABLE.test(sql)) {
      const cached = this.#statements.get(sql);
      if (cached !== undefined) {
        // Most recently used last: a Map keeps insertion order.
        this.#statements.delete(sql);
        this.#statements.set(sql, cached);
        name = cached;
      } else {
        if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
          const [oldest, oldName] = this.#statements.entries().next().value as [string, string];
          this.#statements.delete(oldest);
          parts.push(serialize.close({ type: 'S', name: oldName }));
        }
        name = `hush_${this.#nextName++}`;
        this.#statements.set(sql, name);
        parsedNow = true;
      }
    }
    if (name === '' || parsedNow) parts.push(serialize.parse({ text: sql, name }));
    parts.push(serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    await this.#slice();
    // The data folder (NodeFS) and the in-memory store write through, so there is nothing to sync after a statement.
    const { messages } = await this.#pg.execProtocol(Buffer.concat(parts), { syncToFs: false, throwOnError: false });
    const error = messages.find((m) => m instanceof wire.DatabaseError);
    if (error !== undefined) {
      // A statement that failed to parse was never prepared; one that failed later stays valid.
      if (parsedNow && !messages.some((m) => m.name === 'parseComplete')) this.#statements.delete(sql);
      throw error;
    }
    if (DDL.test(sql) && this.#statements.size > 0) await this.#forgetStatements();
    const result = parse.parseResults(messages, this.#pg.parsers)[0];
    const rows = (result?.rows ?? []) as R[];
    return { command: commandOf(sql), rowCount: result?.affectedRows ?? rows.length, rows };
  }

  /**
   * Bounds how long queries run back to back without the event loop getting a
   * turn. PGlite answers synchronously, so a queue of flows waiting for the
   * connection would otherwise run as one chain of microtasks, holding back
   * every timer (the envelope's floor) and socket until the queue is empty.
   * Past SLICE_MS of such a chain the next query waits for one loop turn.
   */
  async #slice(): Promise<void> {
    const now = performance.now();
    if (this.#sliceStart === undefined) {
      this.#sliceStart = now;
      setImmediate(() => (this.#sliceStart = undefined));
      return;
    }
    if (now - this.#sliceStart < SLICE_MS) return;
    await yieldToLoop();
    return this.#slice();
  }

  /** After a schema change: a prepared `SELECT *` would fail ("cached plan must not change result type"). */
  async #forgetStatements(): Promise<void> {
    this.#statements.clear();
    await this.#pg.execProtocol(Buffer.concat([serialize.parse({ text: 'DEALLOCATE ALL' }), serialize.bind({}), serialize.execute({}), serialize.sync()]), { syncToFs: false });
  }
}

/**
 * A parameter as PostgreSQL text, following node-postgres (so both stores
 * read the same values the same way): null and undefined are NULL, a Date is
 * its ISO instant, bytes are `\x` hex, a boolean is `t`/`f`, an array is an
 * array literal, any other object is JSON.
 */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value === Infinity ? 'infinity' : value === -Infinity ? '-infinity' : String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function arrayLiteral(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = toText(item);
    return text === null ? 'NULL' : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

/** One turn of the event loop (after I/O, before the next timers). */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  const head = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  if (head === 'INSERT' || head === 'UPDATE' || head === 'DELETE' || head === 'MERGE') return head;
  if (head === 'WITH') {
    const main = [...sql.matchAll(/\)\s*(insert|update|delete|select)\b/gi)].pop()?.[1]?.toUpperCase();
    if (main === 'INSERT' || main === 'UPDATE' || main === 'DELETE') return main;
  }
  return 'SELECT';
}
