import type { FC } from 'hono/jsx';
import type { BlockRow } from '../../store/console-events.js';
import type { RuleSwitch } from '../../store/console-access.js';
import { num, utc } from './format.js';
import { ConsolePage, Scroll } from './layout.js';
import type { ConsoleShell } from './layout.js';

export interface RuleRow {
  id: string;
  name: string;
  runs: boolean;
  change: RuleSwitch | undefined;
}

export interface AnswersProps {
  shell: ConsoleShell;
  now: number;
  blocks: readonly BlockRow[];
  pow: { base: number; rows: readonly { ip: string; events: number; difficulty: number }[] };
  rules: readonly RuleRow[];
  notice: string | undefined;
}

const DURATIONS = [
  ['1h', '1 hour'],
  ['24h', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
] as const;

const For: FC<{ id: string }> = ({ id }) => (
  <div>
    <label for={id}>For</label>
    <select id={id} name="for">
      {DURATIONS.map(([v, t]) => (
        <option value={v}>{t}</option>
      ))}
    </select>
  </div>
);

const Reason: FC<{ id: string; value?: string }> = ({ id, value }) => (
  <div>
    <label for={id}>Reason</label>
    <input id={id} name="reason" type="text" maxlength={200} required value={value} />
  </div>
);

export const AnswersPage: FC<AnswersProps> = (p) => {
  const live = p.blocks.filter((b) => b.expiresAt > p.now);
  return (
    <ConsolePage shell={p.shell} title="Answers" current="/console/answers">
      {p.notice === undefined ? null : (
        <p class="notice" role="status">
          {p.notice}
        </p>
      )}
      <h2>Block list</h2>
      <p class="muted">A blocked address gets every flow's normal reply with its effects dropped: it cannot tell it is blocked. A bare IPv6 address blocks its /64.</p>
      <form class="inline card" method="post" action="/console/blocks">
        <div>
          <label for="new-cidr">Address or CIDR range</label>
          <input id="new-cidr" name="cidr" type="text" maxlength={64} required class="mono" />
        </div>
        <For id="new-for" />
        <Reason id="new-reason" />
        <button type="submit">Block</button>
      </form>
      <Scroll label="Blocks in force">
        <table>
          <thead>
            <tr>
              <th scope="col">Range</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
              <th scope="col">Until (UTC)</th>
              <th scope="col">Extend</th>
              <th scope="col">Lift</th>
            </tr>
          </thead>
          <tbody>
            {live.length === 0 ? (
              <tr>
                <td colspan={6} class="muted">
                  Nothing is blocked.
                </td>
              </tr>
            ) : (
              live.map((b) => (
                <tr>
                  <td class="mono">{b.cidr}</td>
                  <td>{b.reason}</td>
                  <td>{b.source}</td>
                  <td>{utc(b.expiresAt)}</td>
                  <td>
                    <form class="inline" method="post" action={`/console/blocks/${encodeURIComponent(b.id)}/extend`}>
                      <For id={`ext-for-${b.id}`} />
                      <Reason id={`ext-reason-${b.id}`} />
                      <button type="submit" class="secondary" aria-label={`Extend the block of ${b.cidr}`}>
                        Extend
                      </button>
                    </form>
                  </td>
                  <td>
                    <form class="inline" method="post" action={`/console/blocks/${encodeURIComponent(b.id)}/lift`}>
                      <Reason id={`lift-reason-${b.id}`} />
                      <button type="submit" class="danger" aria-label={`Lift the block of ${b.cidr}`}>
                        Lift
                      </button>
                    </form>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </Scroll>

      <h2>Proof-of-work levels</h2>
      <p class="muted">
        The difficulty each address must solve now, for the addresses that met a guard in the last 24 hours (base {num(p.pow.base)}). A guard hit raises it 4×, ten hits 16×, a detection answer by its factor.
      </p>
      <Scroll label="Proof-of-work levels">
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col" class="num">
                Guard events, 24 h
              </th>
              <th scope="col" class="num">
                Difficulty now
              </th>
              <th scope="col" class="num">
                × base
              </th>
            </tr>
          </thead>
          <tbody>
            {p.pow.rows.length === 0 ? (
              <tr>
                <td colspan={4} class="muted">
                  No address met a guard.
                </td>
              </tr>
            ) : (
              p.pow.rows.map((r) => (
                <tr>
                  <td>
                    <a class="mono" href={`/console/events?address=${encodeURIComponent(r.ip)}`}>
                      {r.ip}
                    </a>
                  </td>
                  <td class="num">{num(r.events)}</td>
                  <td class="num">{num(r.difficulty)}</td>
                  <td class="num">{num(r.difficulty / p.pow.base, 1)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </Scroll>

      <h2>Rules</h2>
      <p class="muted">Switching a rule off here stops it on this instance at once (it counts nothing and raises nothing); instances started later read the switch at start. The change is recorded as an event.</p>
      <Scroll label="Rules">
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">State</th>
              <th scope="col">Last change</th>
              <th scope="col">Switch</th>
            </tr>
          </thead>
          <tbody>
            {p.rules.map((r) => (
              <tr>
                <td>
                  {r.name} <span class="mono muted">{r.id}</span>
                </td>
                <td>{r.runs ? 'on' : 'off'}</td>
                <td>{r.change === undefined ? '—' : `${utc(r.change.changedAt.getTime())} UTC by ${r.change.changedBy}`}</td>
                <td>
                  <form class="inline" method="post" action={`/console/rules/${encodeURIComponent(r.id)}`}>
                    <input type="hidden" name="enabled" value={r.runs ? 'off' : 'on'} />
                    <Reason id={`rule-reason-${r.id}`} />
                    <button type="submit" class={r.runs ? 'danger' : 'secondary'} aria-label={`${r.runs ? 'Switch off' : 'Switch on'} ${r.name}`}>
                      {r.runs ? 'Switch off' : 'Switch on'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </ConsolePage>
  );
};
