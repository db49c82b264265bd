import type { FC } from 'hono/jsx';
import type { FlowSeries, SignalMark, TopRow, VolumeVsUsual } from '../../store/console-overview.js';
import { RateChart } from './chart.js';
import type { ChartMark } from './chart.js';
import { num } from './format.js';
import { ConsolePage, Scroll } from './layout.js';
import type { ConsoleShell } from './layout.js';

/** The flows the overview charts, in the order a person reads them. */
export const OVERVIEW_FLOWS = [
  { event: 'users.login.success', label: 'Sign-in, succeeded' },
  { event: 'users.login.failure', label: 'Sign-in, failed' },
  { event: 'users.signup', label: 'Sign-up' },
  { event: 'users.password_reset', label: 'Password reset requests' },
  { event: 'users.magic_link', label: 'Magic-link requests' },
] as const;

export const RANGES = {
  hour: { label: 'Last hour', bucketMs: 60_000, buckets: 60 },
  day: { label: 'Last day', bucketMs: 15 * 60_000, buckets: 96 },
  week: { label: 'Last week', bucketMs: 60 * 60_000, buckets: 168 },
} as const;
export type RangeName = keyof typeof RANGES;

export interface OverviewProps {
  shell: ConsoleShell;
  range: RangeName;
  from: number;
  series: readonly FlowSeries[];
  /** Signals in the range, and the events each one's rule reads (to put its mark on those charts). */
  signals: readonly (SignalMark & { events: readonly string[] })[];
  top: { event: string; label: string; addresses: readonly TopRow[]; networks: readonly TopRow[] }[];
  volume: VolumeVsUsual & { ruleName: string | undefined; factor: number; minEvents: number };
}

const TopTable: FC<{ caption: string; rows: readonly TopRow[]; networks: boolean }> = ({ caption, rows, networks }) => (
  <Scroll label={caption}>
    <table>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{networks ? 'Network' : 'Address'}</th>
          <th scope="col" class="num">
            Events
          </th>
          {networks ? (
            <th scope="col" class="num">
              Addresses
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colspan={networks ? 3 : 2} class="muted">
              None in this range.
            </td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr>
              <td>
                <a class="mono" href={`/console/events?${networks ? 'network' : 'address'}=${encodeURIComponent(r.key)}`}>
                  {r.key}
                </a>
              </td>
              <td class="num">{num(r.events)}</td>
              {networks ? <td class="num">{num(r.addresses ?? 0)}</td> : null}
            </tr>
          ))
        )}
      </tbody>
    </table>
  </Scroll>
);

export const OverviewPage: FC<OverviewProps> = (p) => {
  const range = RANGES[p.range];
  const marksFor = (event: string): ChartMark[] =>
    p.signals.filter((s) => s.events.includes(event)).map((s) => ({ id: s.id, at: Math.max(s.firstSeen, p.from), severity: s.severity, label: s.ruleName }));
  const v = p.volume;
  const perMin = v.windowMs / 60_000;
  return (
    <ConsolePage shell={p.shell} title="Overview" current="/console">
      <nav aria-label="Time range">
        <ul class="tabs">
          {(Object.keys(RANGES) as RangeName[]).map((r) => (
            <li>
              <a href={`/console?range=${r}`} aria-current={r === p.range ? 'page' : undefined}>
                {RANGES[r].label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="muted">
        Events per minute, {range.label.toLowerCase()} in {range.buckets} steps of {range.bucketMs / 60_000} min (UTC). A coloured rule marks where a signal opened; it links to the signal.
      </p>
      <div class="grid">
        {p.series.map((s) => {
          const flow = OVERVIEW_FLOWS.find((f) => f.event === s.event);
          return <RateChart id={`chart-${s.event.replaceAll('.', '-')}`} caption={flow?.label ?? s.event} counts={s.counts} from={p.from} bucketMs={range.bucketMs} marks={marksFor(s.event)} />;
        })}
      </div>

      <h2>Password resets, app-wide, against their usual level</h2>
      <div class="grid">
        <RateChart
          id="chart-reset-volume"
          caption={`Resets per minute, last ${num((v.recent.length * v.windowMs) / 3_600_000)} h in ${perMin}-minute windows`}
          counts={v.recent}
          from={v.recentFrom}
          bucketMs={v.windowMs}
          usual={v.usual === undefined ? undefined : v.usual / perMin}
          limit={v.threshold === undefined ? undefined : v.threshold / perMin}
        />
        <div class="card">
          <dl class="facts">
            <dt>Last {perMin} minutes</dt>
            <dd>
              <span class="big">{num(v.current)}</span> reset requests
            </dd>
            <dt>Usual level</dt>
            <dd>{v.usual === undefined ? 'still learning (less history than the rule needs)' : `${num(v.usual, 1)} per ${perMin} minutes (average over the ${num(v.baselineMs / 3_600_000)} h before)`}</dd>
            <dt>Spike threshold</dt>
            <dd>{v.threshold === undefined ? '—' : `more than ${num(v.threshold, 1)} (${v.factor}× usual, and more than ${v.minEvents})`}</dd>
            <dt>Rule</dt>
            <dd>{v.ruleName ?? 'no app-wide reset spike rule is running; the figures use its default parameters'}</dd>
          </dl>
          <p class="legend">Chart: dotted green line, the usual level; dashed red line, the threshold.</p>
        </div>
      </div>

      <h2>Who sends them</h2>
      <div class="grid">
        {p.top.map((t) => (
          <div class="card">
            <h3>{t.label}</h3>
            <TopTable caption={`Top addresses, ${t.label.toLowerCase()}`} rows={t.addresses} networks={false} />
            <TopTable caption={`Top networks (/24, /64), ${t.label.toLowerCase()}`} rows={t.networks} networks={true} />
          </div>
        ))}
      </div>

      <h2>Signals in this range</h2>
      {p.signals.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {p.signals.map((s) => (
            <li>
              <a href={`/console/signals/${encodeURIComponent(s.id)}`}>{s.ruleName}</a> <span class={`sev ${s.severity}`}>{s.severity}</span>
            </li>
          ))}
        </ul>
      )}
    </ConsolePage>
  );
};
