import type { FC } from 'hono/jsx';
import type { EventRow } from '../../store/console-events.js';
import { maskIdentifier, utc } from './format.js';
import { ConsolePage, Scroll } from './layout.js';
import type { ConsoleShell } from './layout.js';

export interface EventSearchForm {
  identifier: string;
  address: string;
  network: string;
  name: string;
  since: string;
  until: string;
}

export interface EventsProps {
  shell: ConsoleShell;
  form: EventSearchForm;
  names: readonly string[];
  events: readonly EventRow[];
  /** The URL of the next (older) page, when there is one. */
  next: string | undefined;
  error: string | undefined;
  /** The one event whose identifier the operator revealed (recorded), shown unmasked. */
  revealed: { id: string; login: string } | undefined;
}

const Text: FC<{ name: keyof EventSearchForm; label: string; value: string; hint?: string; type?: string }> = ({ name, label, value, hint, type }) => (
  <div>
    <label for={`q-${name}`}>{label}</label>
    <input id={`q-${name}`} name={name} type={type ?? 'text'} value={value} maxlength={320} placeholder={hint} />
  </div>
);

function attrsText(attrs: Record<string, unknown>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

export const EventsPage: FC<EventsProps> = (p) => (
  <ConsolePage shell={p.shell} title="Events" current="/console/events">
    <form class="filters" method="get" action="/console/events">
      <Text name="identifier" label="Identifier (exact, normalized)" value={p.form.identifier} hint="jane@example.com" />
      <Text name="address" label="Address" value={p.form.address} hint="203.0.113.7" />
      <Text name="network" label="Network" value={p.form.network} hint="203.0.113.0/24" />
      <div>
        <label for="q-name">Event</label>
        <select id="q-name" name="name">
          <option value="">any</option>
          {p.names.map((n) => (
            <option value={n} selected={n === p.form.name}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <Text name="since" label="Since (UTC)" value={p.form.since} hint="2026-12-01T00:00" type="datetime-local" />
      <Text name="until" label="Until (UTC)" value={p.form.until} hint="2026-12-02T00:00" type="datetime-local" />
      <button type="submit">Search</button>
    </form>
    {p.error === undefined ? null : (
      <p class="alert" role="alert">
        {p.error}
      </p>
    )}
    {p.revealed === undefined ? null : (
      <p class="notice" role="status">
        Event {p.revealed.id} names <strong class="mono">{p.revealed.login}</strong>. This reveal is recorded with your operator id.
      </p>
    )}
    <p class="muted">Newest first. Identifiers are masked; revealing one records an event with your operator id.</p>
    <Scroll label="Events">
      <table>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Event</th>
            <th scope="col">Identifier</th>
            <th scope="col">Address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {p.events.length === 0 ? (
            <tr>
              <td colspan={5} class="muted">
                No event matches.
              </td>
            </tr>
          ) : (
            p.events.map((e) => (
              <tr>
                <td>{utc(e.at)}</td>
                <td class="mono">{e.name}</td>
                <td class="mono">
                  {e.login === null ? (
                    e.identityId === null ? '' : `identity ${e.identityId}`
                  ) : p.revealed?.id === e.id ? (
                    <strong>{p.revealed.login}</strong>
                  ) : (
                    <form class="inline" method="post" action={`/console/events/${e.id}/reveal`}>
                      <span>{maskIdentifier(e.login)}</span>
                      <button type="submit" class="secondary" aria-label={`Reveal the identifier of event ${e.id}`}>
                        Reveal
                      </button>
                    </form>
                  )}
                </td>
                <td class="mono">{e.ip === null ? '' : <a href={`/console/events?address=${encodeURIComponent(e.ip)}`}>{e.ip}</a>}</td>
                <td class="mono">{attrsText(e.attrs)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Scroll>
    {p.next === undefined ? null : (
      <p>
        <a href={p.next}>Older events</a>
      </p>
    )}
  </ConsolePage>
);
