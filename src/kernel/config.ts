import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseDuration } from './duration.js';

/**
 * The one configuration schema. Every setting is read from the environment
 * (and, for the ones with a flag, from the command line, which wins). A bad
 * value stops start-up with one line per setting: its name, the problem and
 * what is allowed. docs/configuration.md and the README table list the same
 * settings; a test keeps them in step.
 */

export interface Limit {
  points: number;
  durationMs: number;
}

const onOff = z.enum(['on', 'off']).transform((v) => v === 'on');
const int = (min: number, max: number): z.ZodType<number, string> =>
  z.string().regex(/^\d+$/, 'is not a whole number').transform(Number).pipe(z.number().min(min, `is below ${min}`).max(max, `is above ${max}`));
/** `auto` (twice the CPU cores: while some flows hash on the hashing threads, others use the event loop) or a whole number. */
const flowConcurrency = z.union([z.literal('auto').transform(() => 2 * availableParallelism()), int(1, 1024)], 'is neither auto nor a whole number from 1 to 1024');
const duration = (minMs: number): z.ZodType<number, string> =>
  z.string().transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a duration' });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `is shorter than ${minMs}ms` });
      return z.NEVER;
    }
    return ms;
  });
const limit = z.string().transform((s, ctx): Limit => {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(s);
  const ms = m?.[2] === undefined ? null : parseDuration(m[2]);
  if (!m || ms === null || ms < 1000 || Number(m[1]) < 1) {
    ctx.addIssue({ code: 'custom', message: 'is not a limit' });
    return z.NEVER;
  }
  return { points: Number(m[1]), durationMs: ms };
});
const url = (protocols: readonly string[]): z.ZodType<string, string> =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'is not a URL with a supported scheme');
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const origin = z.string().transform((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL' });
    return z.NEVER;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) {
    ctx.addIssue({ code: 'custom', message: 'is not a bare origin' });
    return z.NEVER;
  }
  return u.origin;
});
const metricsListen = z.string().transform((s, ctx): { host: string; port: number } | null => {
  const t = s.trim();
  if (t === 'off') return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(t);
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    ctx.addIssue({ code: 'custom', message: 'is not HOST:PORT or off' });
    return z.NEVER;
  }
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
});
const trustProxy = z.string().transform((s, ctx): TrustProxy => {
  const t = s.trim();
  if (/^\d+$/.test(t)) return { hops: Number(t), cidrs: [] };
  const cidrs = t.split(',').map((x) => x.trim()).filter(Boolean);
  const ok = cidrs.length > 0 && cidrs.every((c) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(c));
  if (!ok) {
    ctx.addIssue({ code: 'custom', message: 'is neither a hop count nor a list of CIDR ranges' });
    return z.NEVER;
  }
  return { hops: 0, cidrs };
});

export interface TrustProxy {
  /** Trust this many proxies in front of hush (counted from the socket). */
  hops: number;
  /** Trust proxies whose address is in one of these ranges. */
  cidrs: string[];
}

interface Setting {
  env: string;
  flag?: string;
  default?: string;
  allowed: string;
  doc: string;
  schema: z.ZodType<unknown, string>;
}

/** Every setting, in the order the docs list them. */
export const SETTINGS = {
  host: { env: 'HUSH_HOST', flag: 'host', default: '127.0.0.1', allowed: 'a host name or IP address', doc: 'Address the server listens on.', schema: z.string().min(1, 'is empty') },
  port: { env: 'HUSH_PORT', flag: 'port', default: '8080', allowed: 'a whole number from 0 to 65535 (0 picks a free port)', doc: 'Port the server listens on.', schema: int(0, 65535) },
  dataDir: { env: 'HUSH_DATA_DIR', flag: 'data-dir', default: './.hush', allowed: 'a folder path', doc: 'Folder for the embedded database, the dev mailbox and the generated secret.', schema: z.string().min(1, 'is empty') },
  origin: { env: 'HUSH_ORIGIN', flag: 'origin', allowed: 'an http(s) origin such as https://id.example.com, no path', doc: 'The public origin every link in mail is built from. Default `http://localhost:PORT`.', schema: origin },
  databaseUrl: { env: 'DATABASE_URL', flag: 'database-url', allowed: 'a postgres:// or postgresql:// URL', doc: 'PostgreSQL. Absent: embedded PGlite in `$HUSH_DATA_DIR/db` (one process only).', schema: url(['postgres:', 'postgresql:']) },
  redisUrl: { env: 'REDIS_URL', flag: 'redis-url', allowed: 'a redis:// or rediss:// URL', doc: 'Redis for shared limits, detection windows and proof-of-work replay. Absent: in-memory state.', schema: url(['redis:', 'rediss:']) },
  redisPrefix: { env: 'HUSH_REDIS_PREFIX', default: 'hush:', allowed: 'up to 40 letters, digits and : _ - .', doc: 'Prefix of every Redis key (limits, proof-of-work replay, detection windows): instances with the same prefix share state; different deployments on one Redis use different prefixes.', schema: z.string().regex(/^[\w:.-]{1,40}$/, 'is not a key prefix') },
  smtpUrl: { env: 'SMTP_URL', flag: 'smtp-url', allowed: 'an smtp:// or smtps:// URL', doc: 'SMTP server for mail. Absent: the dev mailbox (`.eml` files in `$HUSH_DATA_DIR/mailbox`).', schema: url(['smtp:', 'smtps:']) },
  mailFrom: { env: 'HUSH_MAIL_FROM', allowed: 'a mail address, optionally with a name: `Acme <no-reply@acme.test>`', doc: 'Sender of every mail. Default `PRODUCT <no-reply@ORIGIN-HOST>`.', schema: z.string().regex(/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'is not a mail address') },
  secret: { env: 'HUSH_SECRET', allowed: 'at least 32 characters', doc: 'Instance secret (signs proof-of-work challenges, CSRF tokens, webhooks). Absent: generated once into `$HUSH_DATA_DIR/secret` (mode 0600).', schema: z.string().min(32, 'is shorter than 32 characters') },
  logLevel: { env: 'HUSH_LOG_LEVEL', flag: 'log-level', default: 'info', allowed: 'fatal, error, warn, info, debug, trace or silent', doc: 'Log level (JSON lines on stdout; secrets are redacted).', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'is not a log level') },
  productName: { env: 'HUSH_PRODUCT_NAME', default: 'hush', allowed: '1 to 60 characters', doc: 'Product name shown on pages and in mail.', schema: z.string().min(1, 'is empty').max(60, 'is longer than 60 characters') },
  brandColor: { env: 'HUSH_BRAND_COLOR', default: '#3b3f9e', allowed: 'a colour as #rrggbb', doc: 'Accent colour of the hosted pages.', schema: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'is not a #rrggbb colour') },
  logoFile: { env: 'HUSH_LOGO_FILE', allowed: 'a path to an .svg or .png file', doc: 'Logo shown on the hosted pages (served by hush itself).', schema: z.string().regex(/\.(svg|png)$/i, 'is not an .svg or .png path') },
  argon2Memory: { env: 'HUSH_ARGON2_MEMORY', default: '19456', allowed: 'KiB, from 8192 to 1048576', doc: 'argon2id memory cost (OWASP: 19456 KiB).', schema: int(8192, 1_048_576) },
  argon2Time: { env: 'HUSH_ARGON2_TIME', default: '2', allowed: 'a whole number from 1 to 10', doc: 'argon2id iterations (OWASP: 2).', schema: int(1, 10) },
  argon2Parallelism: { env: 'HUSH_ARGON2_PARALLELISM', default: '1', allowed: 'a whole number from 1 to 16', doc: 'argon2id lanes (OWASP: 1).', schema: int(1, 16) },
  hashThreads: { env: 'HUSH_HASH_THREADS', default: 'auto', allowed: 'auto (one per CPU core) or a whole number from 1 to 256', doc: 'Threads that run argon2id, at a lower CPU priority than the event loop so hashing never delays a reply.', schema: z.union([z.literal('auto').transform(() => availableParallelism()), int(1, 256)], 'is neither auto nor a whole number from 1 to 256') },
  passwordMinLength: { env: 'HUSH_PASSWORD_MIN_LENGTH', default: '8', allowed: 'a whole number from 8 to 128', doc: 'Shortest password accepted (NIST SP 800-63B: at least 8).', schema: int(8, 128) },
  breachedPasswords: { env: 'HUSH_BREACHED_PASSWORDS', default: 'off', allowed: 'off, fail-open or fail-closed', doc: 'Refuse new passwords found in Have I Been Pwned (range API, k-anonymity: 5 hex characters of the SHA-1 leave hush, padded replies). `fail-open` accepts a password when the API cannot be reached, `fail-closed` refuses it. Needs outbound HTTPS.', schema: z.enum(['off', 'fail-open', 'fail-closed'], 'is not off, fail-open or fail-closed') },
  breachedUrl: { env: 'HUSH_BREACHED_URL', default: 'https://api.pwnedpasswords.com/range/', allowed: 'an http(s) URL ending in /', doc: 'The range endpoint the breached-password check asks (the 5-character prefix is appended).', schema: z.string().regex(/^https?:\/\/[^\s]+\/$/, 'is not an http(s) URL ending in /') },
  breachedTimeout: { env: 'HUSH_BREACHED_TIMEOUT', default: '1500ms', allowed: 'a duration of at least 100ms, e.g. 1500ms', doc: 'How long the breached-password check waits for the range API before failing open or closed.', schema: duration(100) },
  recoveryTtl: { env: 'HUSH_RECOVERY_TTL', default: '30m', allowed: 'a duration of at least 1m, e.g. 30m', doc: 'Lifetime of a password-reset link.', schema: duration(60_000) },
  magicTtl: { env: 'HUSH_MAGIC_TTL', default: '15m', allowed: 'a duration of at least 1m, e.g. 15m', doc: 'Lifetime of a magic sign-in link.', schema: duration(60_000) },
  verifyTtl: { env: 'HUSH_VERIFY_TTL', default: '24h', allowed: 'a duration of at least 1m, e.g. 24h', doc: 'Lifetime of an address-verification link.', schema: duration(60_000) },
  sessionTtl: { env: 'HUSH_SESSION_TTL', default: '14d', allowed: 'a duration of at least 1m, e.g. 14d', doc: 'Idle lifetime of a session (refreshed while used).', schema: duration(60_000) },
  sessionMaxAge: { env: 'HUSH_SESSION_MAX_AGE', default: '90d', allowed: 'a duration of at least 1m, e.g. 90d', doc: 'Absolute lifetime of a session, however often it is used.', schema: duration(60_000) },
  floorMin: { env: 'HUSH_FLOOR_MIN', default: '30ms', allowed: 'a duration from 0ms, e.g. 30ms', doc: 'Smallest timing floor of the envelope; the floor adapts upwards to the p99.9 of each flow\'s own work.', schema: duration(0) },
  flowConcurrency: { env: 'HUSH_FLOW_CONCURRENCY', default: 'auto', allowed: 'auto (twice the CPU cores) or a whole number from 1 to 1024', doc: 'How many account flows do their work at once; the rest wait in line before the envelope\'s clock starts, so queueing for the CPU is not taken for work and does not raise the floor. Also bounds the argon2id hashes in memory at once.', schema: flowConcurrency },
  limits: { env: 'HUSH_LIMITS', default: 'on', allowed: 'on or off', doc: 'Rate limits. `off` is for benchmarks and load tests only; the log says so at start.', schema: onOff },
  pow: { env: 'HUSH_POW', default: 'on', allowed: 'on or off', doc: 'Proof-of-work on the endpoints in HUSH_POW_ENDPOINTS.', schema: onOff },
  powEndpoints: { env: 'HUSH_POW_ENDPOINTS', default: 'recovery,signup,magic-link,login', allowed: 'a comma list of recovery, signup, magic-link, login', doc: 'Endpoints that need a proof-of-work solution (login only after 3 failures from an address).', schema: list.pipe(z.array(z.enum(['recovery', 'signup', 'magic-link', 'login'], 'names an unknown endpoint'))) },
  powDifficulty: { env: 'HUSH_POW_DIFFICULTY', default: '50000', allowed: 'a whole number from 1000 to 10000000', doc: 'Base proof-of-work difficulty (the largest number the solver may have to try); raised for suspicious addresses.', schema: int(1000, 10_000_000) },
  honeypotField: { env: 'HUSH_HONEYPOT_FIELD', default: 'website', allowed: 'a field name of letters, digits, - and _', doc: 'The form field people never fill.', schema: z.string().regex(/^[A-Za-z][\w-]{0,39}$/, 'is not a field name') },
  trustProxy: { env: 'HUSH_TRUST_PROXY', allowed: 'a hop count (e.g. 1) or a comma list of CIDR ranges', doc: 'Trust X-Forwarded-For/Forwarded from these proxies. Absent: the socket address is the client.', schema: trustProxy },
  corsOrigins: { env: 'HUSH_CORS_ORIGINS', default: '', allowed: 'a comma list of origins', doc: 'Origins allowed to call the JSON API from a browser. Empty: CORS closed.', schema: list.pipe(z.array(origin)) },
  basePath: { env: 'HUSH_BASE_PATH', default: '', allowed: 'empty, or a path such as /auth (letters, digits, - _ . and /, no trailing /)', doc: 'Serve hush under this path on its origin (pages, API, assets), e.g. `/auth` on the app\'s own origin; links in mail follow it. Empty: at the root.', schema: z.string().regex(/^(\/[\w.-]+)*$/, 'is not a path like /auth') },
  cookieDomain: { env: 'HUSH_COOKIE_DOMAIN', allowed: 'a domain that is HUSH_ORIGIN\'s host or one of its parents, e.g. example.com', doc: 'Share the session cookie with this domain and its subdomains (one session across app.example.com and id.example.com); the cookie is then `__Secure-hush_session` instead of `__Host-hush_session`. Absent: a host-only cookie.', schema: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'is not a domain name').transform((d) => d.toLowerCase()) },
  returnToOrigins: { env: 'HUSH_RETURN_TO_ORIGINS', default: '', allowed: 'a comma list of origins', doc: 'Origins a `return_to` may send a person back to after signing in (HUSH_ORIGIN always may); any other `return_to` gives the default page.', schema: list.pipe(z.array(origin)) },
  forwardAuthEmail: { env: 'HUSH_FORWARD_AUTH_EMAIL', default: 'off', allowed: 'on or off', doc: 'Also send `X-Hush-Email` (the full address) from `GET /v1/forward-auth` and the session check. Off: only the identity id.', schema: onOff },
  eventRetention: { env: 'HUSH_EVENT_RETENTION', default: '30d', allowed: 'a duration of at least 1h, e.g. 30d', doc: 'How long account events are kept.', schema: duration(3_600_000) },
  metricsListen: { env: 'HUSH_METRICS_LISTEN', default: '127.0.0.1:9464', allowed: 'HOST:PORT (port 0 picks one), or off', doc: 'Where Prometheus scrapes `/metrics`: a listener of its own, on the loopback by default. The public listener never serves it without `HUSH_METRICS_KEY`.', schema: metricsListen },
  metricsKey: { env: 'HUSH_METRICS_KEY', allowed: 'at least 32 characters', doc: 'Bearer key that also opens `/metrics` on the public listener (`Authorization: Bearer KEY`). Absent: the public `/metrics` is a 404.', schema: z.string().min(32, 'is shorter than 32 characters') },
  outboxRetention: { env: 'HUSH_OUTBOX_RETENTION', default: '7d', allowed: 'a duration of at least 1h, e.g. 7d', doc: 'How long outbox rows are kept once delivered or given up (their links are scrubbed at once); pending rows always stay.', schema: duration(3_600_000) },
  rulesDir: { env: 'HUSH_RULES_DIR', allowed: 'a folder path', doc: 'Extra detection rules (YAML), loaded after the shipped defaults.', schema: z.string().min(1, 'is empty') },
  limitRecoveryIdentifier: { env: 'HUSH_LIMIT_RECOVERY_IDENTIFIER', default: '5/1h', allowed: 'COUNT/DURATION, e.g. 5/1h', doc: 'Reset requests per identifier.', schema: limit },
  limitRecoveryAddress: { env: 'HUSH_LIMIT_RECOVERY_ADDRESS', default: '20/10m', allowed: 'COUNT/DURATION, e.g. 20/10m', doc: 'Reset requests per client address.', schema: limit },
  limitSignupIdentifier: { env: 'HUSH_LIMIT_SIGNUP_IDENTIFIER', default: '5/1h', allowed: 'COUNT/DURATION, e.g. 5/1h', doc: 'Sign-ups per identifier.', schema: limit },
  limitSignupAddress: { env: 'HUSH_LIMIT_SIGNUP_ADDRESS', default: '10/10m', allowed: 'COUNT/DURATION, e.g. 10/10m', doc: 'Sign-ups per client address.', schema: limit },
  limitMagicIdentifier: { env: 'HUSH_LIMIT_MAGIC_IDENTIFIER', default: '5/1h', allowed: 'COUNT/DURATION, e.g. 5/1h', doc: 'Magic-link requests per identifier.', schema: limit },
  limitMagicAddress: { env: 'HUSH_LIMIT_MAGIC_ADDRESS', default: '10/10m', allowed: 'COUNT/DURATION, e.g. 10/10m', doc: 'Magic-link requests per client address.', schema: limit },
  limitLoginPair: { env: 'HUSH_LIMIT_LOGIN_PAIR', default: '10/15m', allowed: 'COUNT/DURATION, e.g. 10/15m', doc: 'Login failures per address and identifier, then 429.', schema: limit },
  limitLoginAddress: { env: 'HUSH_LIMIT_LOGIN_ADDRESS', default: '100/15m', allowed: 'COUNT/DURATION, e.g. 100/15m', doc: 'Login failures per address, then 429.', schema: limit },
  limitConfirmAddress: { env: 'HUSH_LIMIT_CONFIRM_ADDRESS', default: '30/10m', allowed: 'COUNT/DURATION, e.g. 30/10m', doc: 'Token checks (verify, reset, magic-link confirm) per address.', schema: limit },
  limitApp: { env: 'HUSH_LIMIT_APP', default: '1000/1m', allowed: 'COUNT/DURATION, e.g. 1000/1m', doc: 'Mail-sending requests across the whole app, per flow.', schema: limit },
} satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
type Out<K extends keyof Settings> = z.output<Settings[K]['schema']>;
type Optional = { [K in keyof Settings]: Settings[K] extends { default: string } ? never : K }[keyof Settings];

export type Config = { [K in Exclude<keyof Settings, Optional>]: Out<K> } & { [K in Exclude<Optional, 'origin' | 'mailFrom'>]?: Out<K> } & {
  origin: string;
  mailFrom: string;
};

export type ConfigFlags = Partial<Record<string, string | undefined>>;

/**
 * Reads the configuration from the environment and flags (flags win).
 * Throws a ConfigError whose message has one line per bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>, flags: ConfigFlags = {}): Config {
  const out: Record<string, unknown> = {};
  const errors: ConfigError[] = [];
  for (const [key, setting] of Object.entries(SETTINGS) as [string, Setting][]) {
    const fromFlag = setting.flag === undefined ? undefined : flags[key];
    const raw = fromFlag ?? env[setting.env] ?? setting.default;
    if (raw === undefined || (raw === '' && setting.default === undefined)) continue;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const problem = parsed.error.issues[0]?.message ?? 'is not valid';
      const name = fromFlag === undefined ? setting.env : `--${setting.flag ?? key}`;
      errors.push(new ConfigError(name, `${JSON.stringify(shorten(raw, key))} ${problem}`, setting.allowed));
    }
  }
  if (errors.length > 0) {
    const all = new ConfigError(errors[0]?.setting ?? 'config', '', '');
    all.message = errors.map((e) => e.message).join('\n');
    throw all;
  }
  out.origin ??= `http://localhost:${String(out.port)}`;
  if (typeof out.cookieDomain === 'string') cookieDomainFits(out.cookieDomain, String(out.origin));
  const productName = String(out.productName);
  out.mailFrom ??= `${productName.replace(/[<>"]/g, '')} <no-reply@${new URL(String(out.origin)).hostname}>`;
  return out as Config;
}

/** HUSH_COOKIE_DOMAIN must be the origin's host or a parent of it: a browser drops any other cookie. */
function cookieDomainFits(domain: string, origin: string): void {
  const host = new URL(origin).hostname.toLowerCase();
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    throw new ConfigError(SETTINGS.cookieDomain.env, `${JSON.stringify(domain)} is neither the host of HUSH_ORIGIN (${host}) nor a parent of it`, SETTINGS.cookieDomain.allowed);
  }
}

/** Never print a secret in an error: show only its length. */
function shorten(raw: string, key: string): string {
  if (key === 'secret' || key.endsWith('Url')) return `(${raw.length} characters)`;
  return raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
}
