import type { Migration } from './types.js';

/**
 * A second factor and the account's own controls: TOTP (the secret sealed,
 * never plain; a pending one until its first code; the last step used, so a
 * code is spent once), failures of the second step per account, recovery
 * codes (hashed, deleted when used), the second step after a password, and
 * the devices an account has signed in from (for the new-device notice).
 */
export const secondFactor: Migration = {
  version: 3,
  name: 'second_factor',
  up: [
    `ALTER TABLE identities ADD COLUMN totp_pending_secret text`,
    `ALTER TABLE identities ADD COLUMN totp_last_step bigint`,
    `ALTER TABLE identities ADD COLUMN totp_enabled_at timestamptz`,
    `ALTER TABLE identities ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0`,
    `ALTER TABLE identities ADD COLUMN second_factor_failed_at timestamptz`,
    `ALTER TABLE identities ADD COLUMN notices_sent integer NOT NULL DEFAULT 0`,
    `ALTER TABLE identities ADD COLUMN notices_window_at timestamptz`,
    `CREATE TABLE recovery_codes (
      identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
      hash text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (identity_id, hash)
    )`,
    `CREATE TABLE second_steps (
      hash text PRIMARY KEY,
      identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX second_steps_expires ON second_steps (expires_at)`,
    `CREATE TABLE known_devices (
      identity_id text NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
      device text NOT NULL,
      first_seen timestamptz NOT NULL,
      PRIMARY KEY (identity_id, device)
    )`,
  ],
};
