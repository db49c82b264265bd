import { Hono } from 'hono';
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { normalizeIp } from '../../guard/address.js';
import { mailboxDir, readMailbox } from '../../mail/index.js';
import { socketOf } from '../security.js';
import type { PageShell } from './components.js';
import { MailboxPage } from './views-other.js';

/**
 * `/dev/mailbox`: the dev mailbox as a page, so every flow can be followed in
 * a browser on embedded defaults. It is mounted only while the dev mailbox is
 * the transport (no SMTP_URL), and answers only a request whose TCP peer is
 * this machine and that went through no proxy: a reverse proxy on the same
 * host would otherwise make every visitor look local, so any forwarding
 * header makes the page not exist. Anything else gets the app's plain 404.
 */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'via'];

export function isLoopback(address: string | undefined): boolean {
  const ip = normalizeIp(address ?? '');
  if (ip === null) return false;
  if (ip === '::1') return true;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function devMailbox(deps: {
  dataDir: string;
  shell: PageShell;
  render: (c: Context, page: JSX.Element, status?: number) => Promise<Response>;
}): Hono {
  const app = new Hono();
  app.get('/dev/mailbox', async (c) => {
    const local = isLoopback(socketOf(c)?.remoteAddress) && FORWARDING_HEADERS.every((h) => c.req.header(h) === undefined);
    if (!local) return c.notFound();
    const messages = await readMailbox(mailboxDir(deps.dataDir));
    return deps.render(c, <MailboxPage shell={deps.shell} messages={messages} />);
  });
  return app;
}
