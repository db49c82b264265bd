/** The outbox worker and the port it needs of the outbox table; mail, detection and webhooks plug in as deliverers. */
export type { OutboxWorkerOptions } from './worker.js';
export { OutboxWorker, describeError } from './worker.js';
export type { ClaimedMessage, OutboxQueue, OutboxStats } from './queue.js';
export { backoffDelay } from './backoff.js';
