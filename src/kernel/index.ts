export type { Clock } from './clock.js';
export { systemClock, ManualClock } from './clock.js';
export type { Random } from './random.js';
export { cryptoRandom, SeededRandom, RequestRandom, randomId, toBase64Url } from './random.js';
export { parseDuration, formatDuration } from './duration.js';
export type { ErrorCode, ErrorDetail } from './errors.js';
export { ERROR_CODES, HushError, ConfigError, validationError } from './errors.js';
export type { Config, ConfigFlags, Limit, TrustProxy } from './config.js';
export { SETTINGS, loadConfig } from './config.js';
