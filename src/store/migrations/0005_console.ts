import type { Migration } from './types.js';

/**
 * The security console (docs/console.md): who may enter it (the operator
 * role, granted from the CLI), the rule switches it sets, and the indexes its
 * searches need on `events`: by client address and by identifier, each in time
 * order. The overview reads `events_name_at` (0001) with the address included,
 * so its top-address tables are answered from the index alone.
 */
export const securityConsole: Migration = {
  version: 5,
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
    `CREATE INDEX events_ip_at ON events (ip, at DESC)`,
    `CREATE INDEX events_login_at ON events (login, at DESC)`,
    `CREATE INDEX events_name_at_ip ON events (name, at) INCLUDE (ip)`,
  ],
};
