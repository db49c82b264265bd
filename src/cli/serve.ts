import { Command } from 'commander';
import { configFrom, intOption, storeOptions } from './shared.js';
import { createHush } from '../hush.js';
import { createLogger } from '../kernel/log.js';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * `hush serve`: the account-flows server. On SIGTERM or SIGINT it stops
 * accepting, lets in-flight requests finish, stops the outbox worker cleanly,
 * closes the database and exits 0.
 */
export function registerServe(program: Command): void {
  program.addCommand(
    storeOptions(new Command('serve'))
      .description('serve the account flows (JSON API, hosted pages) on HUSH_HOST:HUSH_PORT')
      .option('--host <host>', 'address to listen on (HUSH_HOST)')
      .option('--port <port>', 'port to listen on (HUSH_PORT)', (v) => String(intOption(0, 65535)(v)))
      .option('--origin <origin>', 'public origin for links in mail (HUSH_ORIGIN)')
      .option('--smtp-url <url>', 'SMTP server (SMTP_URL); absent: the dev mailbox')
      .action(async (opts: Record<string, unknown>) => {
        let config = configFrom(opts);
        // Port 0 picks a free port; with no HUSH_ORIGIN, links must name the port actually bound.
        if (config.port === 0 && process.env.HUSH_ORIGIN === undefined && opts.origin === undefined) {
          const port = await freePort(config.host);
          config = configFrom({ ...opts, port: String(port) });
        }
        const logger = createLogger({ level: config.logLevel });
        const hush = await createHush({ config, logger });
        const server = await hush.listen();
        const metricsServer = await hush.listenMetrics();
        logger.info({ url: server.url, metrics: metricsServer === undefined ? 'off' : `${metricsServer.url}/metrics`, origin: config.origin, mail: config.smtpUrl === undefined ? `dev mailbox in ${config.dataDir}/mailbox` : 'smtp' }, 'hush is serving');
        await new Promise<void>((resolve) => {
          const stop = (signal: NodeJS.Signals): void => {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            logger.info({ signal }, 'stopping: finishing in-flight requests');
            void server
              .close()
              .then(() => metricsServer?.close())
              .then(() => hush.close())
              .then(() => logger.info('stopped'))
              .catch((err: unknown) => {
                logger.error({ err }, 'failed to stop cleanly');
                process.exitCode = 1;
              })
              .finally(resolve);
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
      }),
  );
}

/** A port free on `host` right now (the OS picks it); bound again at once by the server. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
