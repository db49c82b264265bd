import type { Migration } from './types.js';

/**
 * The security console (docs/console.md):
 *
 * - who may enter (the operator role, granted from the CLI) and the rule
 *   switches operators set there;
 * - `event_counts`, events per name per minute, quarter hour and hour, kept by two
 *   statement-level triggers on `events` (one upsert per insert or delete
 *   statement, sorted so that concurrent writers lock rows in one order), so
 *   the overview's charts read at most a few thousand rows at any volume;
 * - indexes for the console's searches: by address and by identifier in time
 *   order, and `(name, at)` with the address included, which answers the
 *   top-address tables from the index alone (it replaces `events_name_at`).
 */
const BUCKETS = `(VALUES (60), (900), (3600)) AS widths(w)`;
const BIN = `date_bin(w * interval '1 second', at, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;

export const securityConsole: Migration = {
  version: 4,
  name: 'console',
  up: [
    `CREATE TABLE operators (
      identity_id text PRIMARY KEY REFERENCES identities(id) ON DELETE CASCADE,
      granted_at timestamptz NOT NULL
    )`,
    `CREATE TABLE rule_switches (
      rule_id text PRIMARY KEY,
      enabled boolean NOT NULL,
      changed_at timestamptz NOT NULL,
      changed_by text NOT NULL
    )`,
    `CREATE TABLE event_counts (
      width integer NOT NULL,
      name text NOT NULL,
      at timestamptz NOT NULL,
      n bigint NOT NULL,
      PRIMARY KEY (width, name, at)
    )`,
    `CREATE FUNCTION hush_event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO event_counts (width, name, at, n)
      SELECT w, name, ${BIN}, count(*) FROM added, ${BUCKETS} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (width, name, at) DO UPDATE SET n = event_counts.n + excluded.n;
      RETURN NULL;
    END $$`,
    `CREATE FUNCTION hush_event_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE event_counts c SET n = c.n - r.n
      FROM (SELECT w, name, ${BIN} AS at, count(*) AS n FROM removed, ${BUCKETS} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) r
      WHERE c.width = r.w AND c.name = r.name AND c.at = r.at;
      DELETE FROM event_counts WHERE n <= 0;
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER events_count_insert AFTER INSERT ON events REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hush_event_counts_add()`,
    `CREATE TRIGGER events_count_delete AFTER DELETE ON events REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION hush_event_counts_remove()`,
    `INSERT INTO event_counts (width, name, at, n) SELECT w, name, ${BIN}, count(*) FROM events, ${BUCKETS} GROUP BY 1, 2, 3`,
    `CREATE INDEX events_ip_at ON events (ip, at DESC)`,
    `CREATE INDEX events_login_at ON events (login, at DESC)`,
    `CREATE INDEX events_name_at_ip ON events (name, at) INCLUDE (ip)`,
    `DROP INDEX IF EXISTS events_name_at`,
  ],
};
