import type { ColumnType, Generated } from 'kysely';

/** Timestamps are stored as timestamptz and read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface IdentitiesTable {
  id: string;
  email: string;
  password_hash: string | null;
  verified_at: Timestamp | null;
  /** The TOTP secret in force, sealed (core/secret-box.ts): never plain. */
  totp_secret: string | null;
  totp_pending_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_last_step: ColumnType<string | number | null, number | null | undefined, number | null>;
  totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  second_factor_failures: ColumnType<number, number | undefined, number>;
  second_factor_failed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  notices_sent: ColumnType<number, number | undefined, number>;
  notices_window_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RecoveryCodesTable {
  identity_id: string;
  /** HMAC-SHA-256 of the code under a key of the instance; the code itself is never stored. */
  hash: string;
  created_at: Timestamp;
}

export interface SecondStepsTable {
  /** SHA-256 of the second step's cookie value. */
  hash: string;
  identity_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface KnownDevicesTable {
  identity_id: string;
  /** The device as the session list names it ("Firefox on Linux"). */
  device: string;
  first_seen: Timestamp;
}

export interface TokensTable {
  /** SHA-256 of the token, hex. The token itself is never stored. */
  hash: string;
  purpose: string;
  identity_id: string | null;
  /** Normalized identifier, for tokens that name an address with no identity yet (magic-link sign-up). */
  identifier: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SessionsTable {
  /** SHA-256 of the session token, hex. */
  hash: string;
  identity_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface OutboxTable {
  id: string;
  /** What the row delivers: `mail`, `webhook`, … (a deliverer per kind). */
  kind: string;
  payload: ColumnType<unknown, string, string>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  failed_at: Timestamp | null;
  last_error: string | null;
}

export interface EventsTable {
  id: Generated<string>;
  name: string;
  at: Timestamp;
  login: string | null;
  identity_id: string | null;
  exists: boolean | null;
  ip: string | null;
  user_agent: string | null;
  source: string;
  attrs: ColumnType<unknown, string, string>;
}

export interface BlocksTable {
  id: string;
  /** An address or a CIDR range. */
  cidr: string;
  reason: string;
  source: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface PowSpentTable {
  /** A digest of the spent challenge, unique: the insert is the atomic spend. */
  id: string;
  expires_at: Timestamp;
}

export interface SignalsTable {
  id: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  /** 0 info … 4 critical: "at least medium" is `severity_rank >= 2`. */
  severity_rank: number;
  /** The group-by fields and their values. */
  grp: ColumnType<unknown, string, string>;
  case_name: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  expires_at: Timestamp;
  hits: number;
  evidence: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  /** The public part of the key (`hush_<id>_<secret>`). */
  id: string;
  name: string;
  /** SHA-256 of the secret part, hex. The key itself is never stored. */
  hash: string;
  /** Comma list: `events`, `admin`. */
  scopes: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** An identity that may enter the security console (migration 0004). */
export interface OperatorsTable {
  identity_id: string;
  granted_at: Timestamp;
}

/** A detection rule switched on or off for this instance from the console. */
export interface RuleSwitchesTable {
  rule_id: string;
  enabled: boolean;
  changed_at: Timestamp;
  /** The operator's identity id. */
  changed_by: string;
}

/** Events per name per bucket (`width` seconds: 60, 900 or 3600), kept by triggers on `events` (migration 0004). */
export interface EventCountsTable {
  width: number;
  name: string;
  at: Timestamp;
  n: ColumnType<string, number, number>;
}

export interface Database {
  identities: IdentitiesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  events: EventsTable;
  blocks: BlocksTable;
  pow_spent: PowSpentTable;
  signals: SignalsTable;
  api_keys: ApiKeysTable;
  operators: OperatorsTable;
  rule_switches: RuleSwitchesTable;
  event_counts: EventCountsTable;
  recovery_codes: RecoveryCodesTable;
  second_steps: SecondStepsTable;
  known_devices: KnownDevicesTable;
  hush_migrations: { version: number; name: string; applied_at: Timestamp };
}
