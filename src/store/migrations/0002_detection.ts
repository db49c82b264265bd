import type { Migration } from './types.js';

/** Detection: the signals it raised and the API keys other apps send events with. */
export const detection: Migration = {
  version: 2,
  name: 'detection',
  up: [
    `CREATE TABLE signals (
      id text PRIMARY KEY,
      rule_id text NOT NULL,
      rule_name text NOT NULL,
      severity text NOT NULL,
      severity_rank smallint NOT NULL,
      grp jsonb NOT NULL,
      case_name text NOT NULL,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      hits integer NOT NULL,
      evidence jsonb NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX signals_last_seen ON signals (last_seen DESC, id DESC)`,
    `CREATE INDEX signals_rule ON signals (rule_id, last_seen DESC)`,
    `CREATE TABLE api_keys (
      id text PRIMARY KEY,
      name text NOT NULL,
      hash text NOT NULL,
      scopes text NOT NULL,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`,
    // A name names one live key; a revoked key keeps its name for the record.
    `CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL`,
  ],
};
