import { Hono } from 'hono';
import type { Context } from 'hono';
import { EVENT_NAMES } from '../../core/event.js';
import { normalizeIdentifier } from '../../core/identifier.js';
import { HushError } from '../../kernel/errors.js';
import { normalizeIp } from '../../guard/address.js';
import { normalizeCidr } from '../../guard/block-list.js';
import type { EventSearch } from '../../store/console-events.js';
import { consoleAudit } from './access.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { renderConsole } from './deps.js';
import { csrfGuard } from './form.js';
import type { ConsoleShell } from './layout.js';
import { EventsPage } from './views-events.js';
import type { EventSearchForm } from './views-events.js';

/** The console's own events, listed with hush's in the search's choices. */
export const CONSOLE_EVENT_NAMES = ['hush.console.block', 'hush.console.extend', 'hush.console.lift', 'hush.console.rule_switch', 'hush.console.reveal'] as const;
const NAMES: readonly string[] = [...EVENT_NAMES, ...CONSOLE_EVENT_NAMES];

/** A `datetime-local` value read as UTC (the console shows every time in UTC). */
function utcInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const at = Date.parse(`${value}Z`);
  return Number.isFinite(at) ? at : null;
}

/** Reads the search form into a query, or says which field is wrong. */
export function parseSearch(form: EventSearchForm, before: string): { search: EventSearch } | { error: string } {
  const search: EventSearch = {};
  if (form.identifier !== '') {
    try {
      search.login = normalizeIdentifier(form.identifier, 'identifier');
    } catch (err) {
      if (err instanceof HushError) return { error: `The identifier ${err.details[0]?.reason ?? 'is not valid'}.` };
      throw err;
    }
  }
  if (form.address !== '') {
    const ip = normalizeIp(form.address);
    if (ip === null) return { error: 'The address is not an IPv4 or IPv6 address.' };
    search.ip = ip;
  }
  if (form.network !== '') {
    const cidr = normalizeCidr(form.network);
    if (cidr === null) return { error: 'The network is not a CIDR range (203.0.113.0/24, 2001:db8::/48).' };
    search.network = cidr;
  }
  if (form.name !== '') {
    if (!/^[a-z0-9_.-]{1,64}$/.test(form.name)) return { error: 'The event name is not one hush records.' };
    search.name = form.name;
  }
  for (const key of ['since', 'until'] as const) {
    if (form[key] === '') continue;
    const at = utcInput(form[key]);
    if (at === null) return { error: `“${key === 'since' ? 'Since' : 'Until'}” is not a date and time (2026-12-01T13:00).` };
    search[key] = at;
  }
  const cursor = /^(\d{1,15}):(\d{1,19})$/.exec(before);
  if (cursor !== null) search.before = { at: Number(cursor[1]), id: cursor[2] ?? '' };
  return { search };
}

/** GET /console/events (search, paged) and POST /console/events/:id/reveal (recorded). */
export function consoleEvents(deps: ConsoleDeps, shell: (c: { get(key: 'operator'): ConsoleShell['operator'] }) => ConsoleShell): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const audit = consoleAudit({ events: deps.events, clock: deps.clock, client: deps.client, logger: deps.logger });
  const allowed = new Set([new URL(deps.origin).origin, ...deps.corsOrigins]);

  const page = async (c: Context<ConsoleEnv>, revealed: { id: string; login: string } | undefined): Promise<Response> => {
    const q = (k: string): string => (revealed === undefined ? (c.req.query(k) ?? '').slice(0, 320) : '');
    const form: EventSearchForm = { identifier: q('identifier'), address: q('address'), network: q('network'), name: q('name'), since: q('since'), until: q('until') };
    const parsed = parseSearch(form, q('before'));
    if ('error' in parsed) return renderConsole(c, <EventsPage shell={shell(c)} form={form} names={NAMES} events={[]} next={undefined} error={parsed.error} revealed={undefined} />, 400);
    const result = await deps.stores.events.search(parsed.search);
    const next = result.next === undefined ? undefined : `/console/events?${new URLSearchParams({ ...form, before: `${result.next.at}:${result.next.id}` }).toString()}`;
    return renderConsole(c, <EventsPage shell={shell(c)} form={form} names={NAMES} events={result.events} next={next} error={undefined} revealed={revealed} />);
  };

  app.get('/console/events', (c) => page(c, undefined));

  app.post('/console/events/:id/reveal', async (c) => {
    const refused = csrfGuard(c, allowed);
    if (refused !== null) return refused;
    const event = await deps.stores.events.get(c.req.param('id'));
    if (event === undefined || event.login === null) return c.notFound();
    await audit.record(c, c.get('operator'), 'reveal', { event_id: event.id, event_name: event.name });
    return page(c, { id: event.id, login: event.login });
  });
  return app;
}
