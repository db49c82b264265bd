import type { FC } from 'hono/jsx';
import type { Rule } from '../../detect/rule.js';
import type { Signal } from '../../detect/signal.js';
import { formatDuration } from '../../kernel/duration.js';
import type { SignalListRow } from '../../store/console-signals.js';
import type { BlockRow, WebhookDelivery } from '../../store/console-events.js';
import { RateChart } from './chart.js';
import { groupText, maskIdentifier, maskValue, num, utc } from './format.js';
import { ConsolePage, Scroll, Sev } from './layout.js';
import type { ConsoleShell } from './layout.js';

export const SINCE_CHOICES = ['1h', '24h', '7d', '30d'] as const;

export interface SignalFilterForm {
  severity: string;
  rule: string;
  state: string;
  since: string;
}

export interface SignalListProps {
  shell: ConsoleShell;
  filter: SignalFilterForm;
  severities: readonly string[];
  rules: readonly string[];
  signals: readonly SignalListRow[];
  now: number;
  page: number;
  more: boolean;
  query: (page: number) => string;
}

const Select: FC<{ name: string; label: string; value: string; options: readonly (readonly [string, string])[] }> = ({ name, label, value, options }) => (
  <div>
    <label for={`f-${name}`}>{label}</label>
    <select id={`f-${name}`} name={name}>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </select>
  </div>
);

export const SignalListPage: FC<SignalListProps> = (p) => (
  <ConsolePage shell={p.shell} title="Signals" current="/console/signals">
    <form class="filters" method="get" action="/console/signals">
      <Select name="severity" label="Severity" value={p.filter.severity} options={[['', 'any'], ...p.severities.map((s) => [s, s] as const)]} />
      <Select name="rule" label="Rule" value={p.filter.rule} options={[['', 'any'], ...p.rules.map((r) => [r, r] as const)]} />
      <Select name="state" label="State" value={p.filter.state} options={[['', 'any'], ['open', 'open'], ['closed', 'closed']]} />
      <Select name="since" label="Seen in the last" value={p.filter.since} options={[['', 'any time'], ...SINCE_CHOICES.map((s) => [s, s] as const)]} />
      <button type="submit">Filter</button>
    </form>
    <Scroll label="Signals">
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Severity</th>
            <th scope="col">Group</th>
            <th scope="col">Case</th>
            <th scope="col">First seen (UTC)</th>
            <th scope="col">Last seen</th>
            <th scope="col" class="num">
              Hits
            </th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {p.signals.length === 0 ? (
            <tr>
              <td colspan={8} class="muted">
                No signal matches.
              </td>
            </tr>
          ) : (
            p.signals.map((s) => (
              <tr>
                <td>
                  <a href={`/console/signals/${encodeURIComponent(s.id)}`}>{s.ruleName}</a>
                </td>
                <td>
                  <Sev severity={s.severity} />
                </td>
                <td class="mono">{groupText(s.group)}</td>
                <td>{s.caseName}</td>
                <td>{utc(s.firstSeen)}</td>
                <td>{utc(s.lastSeen)}</td>
                <td class="num">{num(s.hits)}</td>
                <td>{s.expiresAt > p.now ? 'open' : 'closed'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Scroll>
    <p>
      {p.page > 0 ? <a href={p.query(p.page - 1)}>Newer</a> : null} {p.more ? <a href={p.query(p.page + 1)}>Older</a> : null}
    </p>
  </ConsolePage>
);

export interface SignalPageProps {
  shell: ConsoleShell;
  signal: Signal;
  now: number;
  rule: Rule | undefined;
  ruleRuns: boolean;
  timeline: { from: number; bucketMs: number; series: { event: string; counts: number[] }[] };
  blocks: readonly BlockRow[];
  webhooks: readonly WebhookDelivery[];
  pow: { address: string; difficulty: number; base: number } | undefined;
  /** The address the block form offers, when the group is one. */
  blockAddress: string | undefined;
  notice: string | undefined;
}

function responseText(r: Rule['cases'][number]['responses'][number]): string {
  if (r.kind === 'block_ip') return `block the address for ${formatDuration(r.forMs)}`;
  if (r.kind === 'raise_pow') return `raise proof-of-work ${r.factor}× for ${formatDuration(r.forMs)}`;
  return `notify a webhook (${r.format})`;
}

export const SignalPage: FC<SignalPageProps> = (p) => {
  const s = p.signal;
  return (
    <ConsolePage shell={p.shell} title={s.ruleName} current="/console/signals">
      {p.notice === undefined ? null : (
        <p class="notice" role="status">
          {p.notice}
        </p>
      )}
      <div class="grid">
        <div class="card">
          <dl class="facts">
            <dt>Severity</dt>
            <dd>
              <Sev severity={s.severity} /> (case: {s.case})
            </dd>
            <dt>Group</dt>
            <dd class="mono">{groupText(s.group)}</dd>
            <dt>State</dt>
            <dd>{s.expiresAt > p.now ? `open, closes ${utc(s.expiresAt)} UTC unless it matches again` : `closed ${utc(s.expiresAt)} UTC`}</dd>
            <dt>First seen</dt>
            <dd>{utc(s.firstSeen)} UTC</dd>
            <dt>Last seen</dt>
            <dd>{utc(s.lastSeen)} UTC</dd>
            <dt>Hits</dt>
            <dd>{num(s.hits)}</dd>
            <dt>Signal id</dt>
            <dd class="mono">{s.id}</dd>
          </dl>
        </div>
        <div class="card">
          <h2>Rule</h2>
          {p.rule === undefined ? (
            <p class="muted">Rule {s.ruleId} is no longer loaded.</p>
          ) : (
            <>
              <p>
                <span class="mono">{p.rule.id}</span> — {p.ruleRuns ? 'running' : 'switched off on this instance'}. {p.rule.description}
              </p>
              <p class="muted">
                Window {formatDuration(p.rule.windowMs)}
                {p.rule.groupBy.length > 0 ? `, grouped by ${p.rule.groupBy.join(', ')}` : ', app-wide'}
                {p.rule.distinct === undefined ? '' : `, counting distinct ${p.rule.distinct}`}.
              </p>
              <Scroll label="Cases">
                <table>
                  <caption class="muted">Cases, in order</caption>
                  <thead>
                    <tr>
                      <th scope="col">Case</th>
                      <th scope="col">Condition</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Answers</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.rule.cases.map((c) => (
                      <tr>
                        <td>{c.name === s.case ? <strong>{c.name} (matched)</strong> : c.name}</td>
                        <td>{[c.count === undefined ? '' : `more than ${c.count} events`, c.distinct === undefined ? '' : `more than ${c.distinct} distinct`].filter((t) => t !== '').join(' and ') || (p.rule?.method === 'anomaly' ? 'above the usual level' : 'any match')}</td>
                        <td>
                          <Sev severity={c.severity} />
                        </td>
                        <td>{c.responses.length === 0 ? 'none' : c.responses.map(responseText).join('; ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            </>
          )}
        </div>
      </div>

      <h2>Evidence</h2>
      <div class="grid">
        <div class="card">
          <h3>Counts in the window when last reported</h3>
          <ul>
            {Object.entries(s.evidence.counts).map(([name, c]) => (
              <li>
                {name}: {num(c.count)} events{c.distinct > 0 ? `, ${num(c.distinct)} distinct` : ''}
                {c.expected === undefined ? '' : ` (usual ${num(c.expected, 2)})`}
              </li>
            ))}
          </ul>
          <h3>Distinct values, newest last</h3>
          {s.evidence.values.length === 0 ? (
            <p class="muted">None kept.</p>
          ) : (
            <ul class="mono">
              {s.evidence.values.map((v) => (
                <li>{maskValue(v)}</li>
              ))}
            </ul>
          )}
        </div>
        {p.timeline.series.length === 0 ? (
          <div class="card">
            <p class="muted">No stored events of this group around the signal (they may be past the retention).</p>
          </div>
        ) : (
          p.timeline.series.map((t) => <RateChart id={`tl-${t.event.replaceAll('.', '-')}`} caption={`This group's ${t.event}`} counts={t.counts} from={p.timeline.from} bucketMs={p.timeline.bucketMs} marks={[{ id: s.id, at: s.firstSeen, severity: s.severity, label: s.ruleName }]} />)
        )}
      </div>
      <h3>Latest matching events</h3>
      <Scroll label="Latest matching events">
        <table>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Event</th>
              <th scope="col">Identifier</th>
              <th scope="col">Address</th>
              <th scope="col">User agent</th>
            </tr>
          </thead>
          <tbody>
            {s.evidence.events.map((e) => (
              <tr>
                <td>{utc(e.at)}</td>
                <td class="mono">{e.name}</td>
                <td class="mono">{e['usr.login'] === undefined ? '' : maskIdentifier(e['usr.login'])}</td>
                <td class="mono">{e['network.client.ip'] ?? ''}</td>
                <td>{(e['http.useragent'] ?? '').slice(0, 80)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>

      <h2>What hush answered</h2>
      <div class="grid">
        <div class="card">
          <h3>Blocks</h3>
          {p.blocks.length === 0 ? (
            <p class="muted">No block names this signal.</p>
          ) : (
            <ul>
              {p.blocks.map((b) => (
                <li>
                  <span class="mono">{b.cidr}</span> by {b.source}, {b.expiresAt > p.now ? `until ${utc(b.expiresAt)} UTC` : `lapsed ${utc(b.expiresAt)} UTC`}
                </li>
              ))}
            </ul>
          )}
          {p.blockAddress === undefined ? null : (
            <form class="inline" method="post" action="/console/blocks">
              <input type="hidden" name="cidr" value={p.blockAddress} />
              <input type="hidden" name="signal" value={s.id} />
              <div>
                <label for="block-for">Block {p.blockAddress} for</label>
                <select id="block-for" name="for">
                  <option value="1h">1 hour</option>
                  <option value="24h">1 day</option>
                  <option value="7d">7 days</option>
                </select>
              </div>
              <div>
                <label for="block-reason">Reason</label>
                <input id="block-reason" name="reason" type="text" maxlength={200} required value={`console, signal ${s.id}: ${s.ruleName}`} />
              </div>
              <button type="submit">Block this address</button>
            </form>
          )}
        </div>
        <div class="card">
          <h3>Proof-of-work</h3>
          {p.pow === undefined ? (
            <p class="muted">The group is not an address.</p>
          ) : (
            <p>
              <span class="mono">{p.pow.address}</span> solves difficulty {num(p.pow.difficulty)} now ({p.pow.difficulty > p.pow.base ? `raised ${num(p.pow.difficulty / p.pow.base, 1)}× over the base ${num(p.pow.base)}` : 'the base level'}).
            </p>
          )}
          <h3>Webhook deliveries</h3>
          {p.webhooks.length === 0 ? (
            <p class="muted">None queued for this signal.</p>
          ) : (
            <ul>
              {p.webhooks.map((w) => (
                <li>
                  {utc(w.createdAt)} UTC to {w.host}: {w.state}
                  {w.attempts > 0 ? `, ${w.attempts} attempt${w.attempts === 1 ? '' : 's'}` : ''}
                  {w.lastError === null ? '' : ` (${w.lastError})`}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </ConsolePage>
  );
};
