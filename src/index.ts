/**
 * hush as a library: the server's parts, for Node apps that mount hush or
 * keep their own auth: the guarded-flow runner (`runGuarded`, or
 * `hush.runGuarded` on an instance), the envelope, the guards, detection. Subpaths: `hush/envelope` (wrap your own handler),
 * `hush/track` (send your app's account events to a hush server), `hush/flows`.
 */
export { createHush, createStores, guardStores } from './hush.js';
export type { Hush, HushOptions, Stores } from './hush.js';
export { loadConfig, SETTINGS } from './kernel/config.js';
export type { Config } from './kernel/config.js';
export { HushError, ERROR_CODES } from './kernel/errors.js';
export type { ErrorCode } from './kernel/errors.js';
export { systemClock, ManualClock } from './kernel/clock.js';
export type { Clock } from './kernel/clock.js';
export { cryptoRandom } from './kernel/random.js';
export type { Random } from './kernel/random.js';
export { Envelope } from './core/envelope.js';
export type { EnvelopeOptions } from './core/envelope.js';
export { normalizeIdentifier, maskEmail } from './core/identifier.js';
export { PasswordHasher, OWASP_PARAMS } from './core/password.js';
export { PasswordPolicy } from './core/password-policy.js';
export { Tokens, hashToken } from './core/token.js';
export { Sessions } from './core/session.js';
export type { AccountEvent, EventSink } from './core/event.js';
export * as flows from './core/flows/index.js';
export type { Flow, GuardedFlow, FlowDeps, Outcome, Reply, RequestMeta } from './core/flows/index.js';
export { runGuarded, runPasswordChange, runLogout } from './core/guarded-flow.js';
export type { GuardedDeps, GuardedOutcome } from './core/guarded-flow.js';
export type { FlowGuards, GuardInput, GuardedAction, Verdict } from './core/guarding.js';
export { createGuards, clientAddress } from './guard/guards.js';
export type { Guards } from './guard/guards.js';
export { createDetectionService } from './detect/index.js';
export { createTracker } from './track/index.js';
