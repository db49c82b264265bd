import { fmt } from '../analyze.js';
import { quantileSorted, sortedCopy } from '../stats/quantile.js';
import type { AuditReport, EndpointReport } from '../types.js';

/** One self-contained page: inline CSS and SVG, no scripts, no external resources. */
export function renderHtml(report: AuditReport): string {
  const body = report.endpoints.map(endpointSection).join('\n');
  const verdict = report.finding ? 'Existing accounts can be told from unknown ones.' : 'No finding.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hush audit</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.finding{color:#b00020;font-weight:600}.ok{color:#1b5e20}
pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;font-size:13px;margin:.2rem 0}
.legend span{display:inline-block;width:1rem;height:.2rem;vertical-align:middle;margin:0 .3rem 0 1rem}
</style></head><body>
<h1>hush audit</h1>
<p class="${report.finding ? 'finding' : 'ok'}">${esc(verdict)}</p>
<p>α = ${report.alpha}, Bonferroni over ${report.bonferroni} tests, ${esc(report.mode)}; ${esc(report.startedAt)} to ${esc(report.finishedAt)}.</p>
${body}
</body></html>
`;
}

function endpointSection(e: EndpointReport): string {
  const rows = e.verdicts
    .map(
      (v) => `<tr><td>${v.part === undefined ? '' : `${esc(v.part)}: `}${v.channel}</td><td class="${v.finding ? 'finding' : 'ok'}">${v.finding ? 'finding' : 'ok'}</td><td>${esc(v.summary)}${
        v.finding && v.evidence.length > 0 ? `<pre>${esc(v.evidence.join('\n'))}</pre>` : ''
      }</td><td>${v.p === null ? '' : v.p.toExponential(2)}</td><td>${v.alpha.toExponential(2)}</td></tr>`,
    )
    .join('\n');
  return `<h2>${esc(e.name)} <small>${esc(e.method)} ${esc(e.url)}</small></h2>
<p>${e.samplesPerClass} samples per class${e.stoppedEarly ? ' (stopped early)' : ''}. Smallest timing difference this run could see: <b>${fmt(e.timing.mddMicros)} µs</b>.</p>
<table><tr><th>channel</th><th>verdict</th><th>detail</th><th>p</th><th>α</th></tr>
${rows}</table>
${(e.parts ?? [{ name: '', timing: e.timing }]).map((p) => `${p.name === '' ? '' : `<h3>${esc(p.name)}</h3>`}${ecdfSvg(p.timing.known, p.timing.unknown)}`).join('\n')}`;
}

/** Both classes' empirical CDFs between the 1st and 95th percentile of all samples (slower ones sit on the right edge), so a long tail does not squeeze the body. */
export function ecdfSvg(known: readonly number[], unknown: readonly number[]): string {
  const w = 640;
  const h = 260;
  const pad = 40;
  const all = sortedCopy([...known, ...unknown]);
  if (all.length === 0) return '';
  const lo = quantileSorted(all, 0.01);
  const hi = Math.max(quantileSorted(all, 0.95), lo + 1e-9);
  const x = (v: number): number => pad + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (w - 2 * pad);
  const y = (p: number): number => h - pad - p * (h - 2 * pad);
  const path = (values: readonly number[]): string => {
    const s = sortedCopy(values);
    const pts: string[] = [];
    const step = Math.max(1, Math.floor(s.length / 400));
    for (let i = 0; i < s.length; i += step) pts.push(`${x(s[i]!).toFixed(1)},${y((i + 1) / s.length).toFixed(1)}`);
    return pts.join(' ');
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + f * (hi - lo);
    return `<text x="${x(v).toFixed(1)}" y="${h - pad + 16}" text-anchor="middle" font-size="11">${fmt(v)}</text>`;
  });
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="ECDF of response times">
<rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#ccc"/>
<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="${path(known)}"/>
<polyline fill="none" stroke="#e65100" stroke-width="1.5" points="${path(unknown)}"/>
${ticks.join('\n')}
<text x="${w / 2}" y="${h - 6}" text-anchor="middle" font-size="11">µs (last byte sent → first byte received)</text>
<text x="12" y="${h / 2}" font-size="11" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">share of requests</text>
</svg><figcaption class="legend"><span style="background:#1565c0"></span>known (${known.length})<span style="background:#e65100"></span>unknown (${unknown.length})</figcaption></figure>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
