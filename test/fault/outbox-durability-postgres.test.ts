import { outboxDurabilitySuite, postgresTarget } from './outbox-harness.js';

/** The outbox durability suite (outbox-harness.ts) on a fresh PostgreSQL database. */
outboxDurabilitySuite(await postgresTarget());
