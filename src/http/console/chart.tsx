import type { FC } from 'hono/jsx';
import { axisTime, num, utc } from './format.js';

/** A signal drawn on a chart's time axis: a coloured rule at its first sighting, linking to its page. */
export interface ChartMark {
  id: string;
  at: number;
  severity: string;
  label: string;
}

export interface ChartProps {
  /** Unique on the page: the caption's id derives from it. */
  id: string;
  caption: string;
  /** Counts per bucket, oldest first. */
  counts: readonly number[];
  from: number;
  bucketMs: number;
  marks?: readonly ChartMark[];
  /** Horizontal reference lines in events per minute (the spike rule's usual level and threshold). */
  usual?: number | undefined;
  limit?: number | undefined;
}

const W = 640;
const H = 190;
const PAD = { left: 46, right: 10, top: 14, bottom: 26 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

/** 1, 2 or 5 times a power of ten, at least `v`: an axis top a person reads at a glance. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Events per minute as an inline SVG line chart: drawn by hush on the server,
 * no script, no third-party library, colours from the stylesheet's classes.
 * The numbers behind it are in the caption's summary and the tables around
 * it, so the chart is never the only way to read them.
 */
export const RateChart: FC<ChartProps> = (p) => {
  const perMinute = p.bucketMs / 60_000;
  const rates = p.counts.map((c) => c / perMinute);
  const span = p.bucketMs * p.counts.length;
  const top = niceMax(Math.max(0, ...rates, p.limit ?? 0, p.usual ?? 0));
  const x = (t: number): number => Math.round((PAD.left + Math.min(1, Math.max(0, (t - p.from) / span)) * PLOT_W) * 10) / 10;
  const y = (r: number): number => Math.round((PAD.top + PLOT_H - (r / top) * PLOT_H) * 10) / 10;
  const pts = rates.map((r, i) => `${x(p.from + (i + 0.5) * p.bucketMs).toFixed(1)},${y(r).toFixed(1)}`);
  const line = pts.length === 0 ? '' : `M${pts.join('L')}`;
  const area = pts.length === 0 ? '' : `${line}L${x(p.from + (rates.length - 0.5) * p.bucketMs).toFixed(1)},${y(0)}L${x(p.from + 0.5 * p.bucketMs).toFixed(1)},${y(0)}Z`;
  const total = p.counts.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...rates);
  const withDay = span > 36 * 3_600_000;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => p.from + f * span);
  const capId = `${p.id}-cap`;
  return (
    <figure class="card">
      <figcaption id={capId}>
        {p.caption}
        <span class="legend">
          {' '}
          — {num(total)} events, peak {num(peak, 1)}/min{(p.marks?.length ?? 0) > 0 ? `, ${p.marks?.length ?? 0} signal${p.marks?.length === 1 ? '' : 's'}` : ''}
        </span>
      </figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} aria-labelledby={capId} focusable="false">
        {[0, 0.5, 1].map((f) => (
          <g>
            <line class="gridline" x1={PAD.left} x2={W - PAD.right} y1={y(top * f)} y2={y(top * f)} />
            <text x={PAD.left - 6} y={y(top * f) + 4} text-anchor="end">
              {num(top * f, top < 2 ? 1 : 0)}
            </text>
          </g>
        ))}
        <text x={4} y={PAD.top - 3}>
          /min
        </text>
        <path class="area" d={area} />
        <path class="line" d={line} />
        {p.usual === undefined ? null : <line class="usual" x1={PAD.left} x2={W - PAD.right} y1={y(p.usual)} y2={y(p.usual)} />}
        {p.limit === undefined ? null : <line class="limit" x1={PAD.left} x2={W - PAD.right} y1={y(p.limit)} y2={y(p.limit)} />}
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        {ticks.map((t, i) => (
          <text x={x(t)} y={H - 8} text-anchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}>
            {axisTime(t, withDay)}
          </text>
        ))}
        {(p.marks ?? []).map((m) => (
          <a href={`/console/signals/${encodeURIComponent(m.id)}`} aria-label={`Signal: ${m.label}, ${m.severity}, at ${utc(m.at)} UTC`} class="mark">
            <title>{`${m.label} (${m.severity}) at ${utc(m.at)} UTC`}</title>
            <line class={`sev-${m.severity}`} x1={x(m.at)} x2={x(m.at)} y1={PAD.top} y2={y(0)} />
            <path class={`sev-${m.severity}`} d={`M${(x(m.at) - 6).toFixed(1)},${PAD.top - 10}h12l-6,10z`} />
          </a>
        ))}
      </svg>
    </figure>
  );
};
