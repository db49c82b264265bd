/**
 * A worker process for the outbox durability test: delivers the outbox of
 * the database named in the environment to an SMTP server, slowly, until it
 * is killed, stopped with SIGTERM (clean stop, exit 0), or, with
 * OUTBOX_CHILD_DRAIN=1, the outbox is empty (exit 0).
 *
 *   OUTBOX_CHILD_DATABASE_URL | OUTBOX_CHILD_DATA_DIR   the store
 *   OUTBOX_CHILD_SMTP_PORT                               the receiver on 127.0.0.1
 *   OUTBOX_CHILD_DELAY_MS, OUTBOX_CHILD_LEASE_MS         a slow transport, a short lease
 *   OUTBOX_CHILD_ENQUEUE=N                               first queue N mails, printing `queued <Message-ID>`
 *                                                        (saves the test opening the embedded store itself)
 */
import { Registry } from 'prom-client';
import { openDatabase } from '../../src/store/database.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { migrate } from '../../src/store/migrate.js';
import { messageIdFor } from '../../src/mail/deliverer.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { SmtpTransport } from '../../src/mail/smtp.js';
import { createMailDeliverer } from '../../src/mail/deliverer.js';
import type { MailTransport } from '../../src/mail/transport.js';
import { systemClock } from '../../src/kernel/clock.js';
import { cryptoRandom } from '../../src/kernel/random.js';
import { createLogger } from '../../src/kernel/log.js';

const env = process.env;
const delayMs = Number(env.OUTBOX_CHILD_DELAY_MS ?? '0');
const handle = await openDatabase({ databaseUrl: env.OUTBOX_CHILD_DATABASE_URL, dataDir: env.OUTBOX_CHILD_DATA_DIR ?? '/nonexistent' });
const smtp = new SmtpTransport({ url: `smtp://127.0.0.1:${env.OUTBOX_CHILD_SMTP_PORT ?? '25'}`, maxConnections: 1 });
const slow: MailTransport = {
  async send(m) {
    await new Promise((r) => setTimeout(r, delayMs));
    await smtp.send(m);
  },
  close: () => smtp.close(),
};
const config = { productName: 'Hush test', origin: 'http://hush.test', mailFrom: 'no-reply@hush.test' };
const repo = new OutboxRepository(handle.db, systemClock, cryptoRandom);
const toQueue = Number(env.OUTBOX_CHILD_ENQUEUE ?? '0');
if (toQueue > 0) {
  await migrate(handle.db);
  const lines: string[] = [];
  for (let i = 0; i < toQueue; i++) {
    const id = await repo.enqueue('mail', { to: `user${i}@example.test`, template: 'recovery', vars: { link: `http://hush.test/recovery#token=t${i}` } });
    lines.push(`queued ${messageIdFor(id, config.origin)}\n`);
  }
  process.stdout.write(lines.join(''));
}
const worker = new OutboxWorker({
  queue: repo,
  deliverers: [createMailDeliverer({ transport: slow, config })],
  clock: systemClock,
  random: cryptoRandom,
  logger: createLogger({ level: 'warn', destination: process.stderr }),
  metrics: new Registry(),
  batchSize: 10,
  pollMs: 50,
  leaseMs: Number(env.OUTBOX_CHILD_LEASE_MS ?? '2000'),
  backoffBaseMs: 100,
  backoffMaxMs: 500,
});

async function shutdown(): Promise<void> {
  await worker.stop();
  await slow.close();
  await handle.close();
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
worker.start();
process.stdout.write('ready\n');

if (env.OUTBOX_CHILD_DRAIN === '1') {
  const timer = setInterval(() => {
    void repo.stats().then(async (s) => {
      if (s.pending > 0) return;
      clearInterval(timer);
      await shutdown();
    });
  }, 100);
}
