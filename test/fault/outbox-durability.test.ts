import { outboxDurabilitySuite, pgliteTarget } from './outbox-harness.js';

/**
 * design.md §4.6 and issue 2's "Outbox durability", on the embedded store:
 * see outbox-harness.ts. PostgreSQL runs the same suite in
 * outbox-durability-postgres.test.ts (separate files keep each under the
 * time budget on a shared machine).
 */
outboxDurabilitySuite(await pgliteTarget());
