import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailTransport, OutgoingMail } from './transport.js';
import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import { parseEml } from './eml.js';
import { composeMail } from './compose.js';

/**
 * The default transport: each message becomes an RFC 5322 `.eml` file in a
 * folder (`$HUSH_DATA_DIR/mailbox`), openable by any mail client. Written to
 * a temporary name and renamed, so a reader never sees half a message. Names
 * start with the UTC time to the millisecond and a per-instance counter, so
 * sorting names sorts messages by time.
 */
export class DevMailbox implements MailTransport {
  readonly dir: string;
  readonly #clock: Clock;
  #seq = 0;

  constructor(dir: string, clock: Clock = systemClock) {
    this.dir = dir;
    this.#clock = clock;
  }

  async send(m: OutgoingMail): Promise<void> {
    const date = new Date(this.#clock.now());
    const source = m.source ?? (await composeMail(m, date));
    await mkdir(this.dir, { recursive: true });
    this.#seq = (this.#seq + 1) % 1_000_000;
    const stamp = date.toISOString().replace(/[-:]/g, '').replace('.', '');
    const local = /^<?([^@>]*)/.exec(m.messageId)?.[1]?.replace(/[^\w-]/g, '_') ?? 'message';
    const name = `${stamp}-${String(this.#seq).padStart(6, '0')}-${local}.eml`;
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      await writeFile(temp, source, { mode: 0o600 });
      await rename(temp, join(this.dir, name));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}

/** One message of the dev mailbox, as the hosted `/dev/mailbox` page and tests read it. */
export interface MailboxMessage {
  /** File name within the mailbox folder. */
  file: string;
  messageId: string;
  to: string;
  subject: string;
  date: Date;
  text: string;
  html: string;
  /** Every http(s) link in the text part, in order, without repeats. */
  links: string[];
}

/** Reads every message of a dev mailbox folder, oldest first; a missing folder is an empty mailbox. */
export async function readMailbox(dir: string): Promise<MailboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files = names.filter((n) => n.endsWith('.eml') && !n.startsWith('.')).sort();
  const out: MailboxMessage[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = await readFile(join(dir, file), 'utf8');
    } catch (err) {
      // Removed since the listing (someone emptied the mailbox): not an error.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const parsed = parseEml(source);
    const header = (name: string): string => parsed.headers.get(name) ?? '';
    out.push({
      file,
      messageId: header('message-id'),
      to: header('to'),
      subject: header('subject'),
      date: new Date(header('date')),
      text: parsed.text,
      html: parsed.html,
      links: [...new Set(parsed.text.match(/https?:\/\/[^\s<>"]+/g) ?? [])],
    });
  }
  return out;
}
