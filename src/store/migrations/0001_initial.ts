import type { Migration } from './types.js';

/** Identities, tokens, sessions, the outbox and events: the foundation's tables. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up: [
    `CREATE TABLE identities (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE,
      password_hash text,
      verified_at timestamptz,
      totp_secret text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE TABLE tokens (
      hash text PRIMARY KEY,
      purpose text NOT NULL,
      identity_id text REFERENCES identities(id) ON DELETE CASCADE,
      identifier text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      CHECK (identity_id IS NOT NULL OR identifier IS NOT NULL)
    )`,
    `CREATE INDEX tokens_identity ON tokens (identity_id, purpose)`,
    `CREATE INDEX tokens_identifier ON tokens (identifier, purpose)`,
    `CREATE INDEX tokens_expires ON tokens (expires_at)`,
    `CREATE TABLE sessions (
      hash text PRIMARY KEY,
      identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL,
      ip text,
      user_agent text
    )`,
    `CREATE INDEX sessions_identity ON sessions (identity_id)`,
    `CREATE TABLE outbox (
      id text PRIMARY KEY,
      kind text NOT NULL,
      payload jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      locked_until timestamptz,
      created_at timestamptz NOT NULL,
      delivered_at timestamptz,
      failed_at timestamptz,
      last_error text
    )`,
    `CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL`,
    `CREATE TABLE events (
      id bigserial PRIMARY KEY,
      name text NOT NULL,
      at timestamptz NOT NULL,
      login text,
      identity_id text,
      "exists" boolean,
      ip text,
      user_agent text,
      source text NOT NULL,
      attrs jsonb NOT NULL DEFAULT '{}'
    )`,
    `CREATE INDEX events_at ON events (at)`,
    `CREATE INDEX events_name_at ON events (name, at)`,
    `CREATE TABLE blocks (
      id text PRIMARY KEY,
      cidr text NOT NULL,
      reason text NOT NULL,
      source text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX blocks_expires ON blocks (expires_at)`,
    `CREATE TABLE pow_spent (
      id text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`,
  ],
};
