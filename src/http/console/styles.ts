import { createHash } from 'node:crypto';
import { Hono } from 'hono';

/**
 * The console's one stylesheet, served by hush as a file (the console's CSP
 * allows no inline style and no script at all). System fonts; every colour
 * that carries text meets WCAG AA on its background; one column under 48rem.
 * Charts take their colours from classes here, so the SVG carries no style.
 */
export const CONSOLE_CSS = `:root{--ink:#1a1a1a;--muted:#4d4d4d;--line:#c8c8d0;--bg:#f4f4f6;--accent:#1f4fbf;--info:#5a5a66;--low:#1f5fa8;--medium:#8a5a00;--high:#b34700;--critical:#b00020;--ok:#1b5e20}
*,*::before,*::after{box-sizing:border-box}
html{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0}
.skip{position:absolute;left:-10000px;top:0}
.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:2}
header.bar{background:#15172a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem}
header.bar .name{font-weight:700;margin-right:.5rem}
header.bar nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header.bar a{color:#fff}
header.bar a[aria-current=page]{font-weight:700;text-underline-offset:.3em;text-decoration-thickness:2px}
header.bar .who{margin-left:auto;display:flex;align-items:center;gap:.75rem;font-size:.875rem}
header.bar form{margin:0}
header.bar button{background:transparent;color:#fff;border:1px solid #fff;padding:.25rem .625rem;width:auto}
main{max-width:76rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.25rem 0 .75rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
a{color:var(--accent)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;min-width:0}
.card h2,.card h3{margin-top:.25rem}
figure{margin:0}
figcaption{font-weight:600}
svg.chart{display:block;width:100%;height:auto}
.chart .axis{stroke:#8c8c99;stroke-width:1}
.chart .gridline{stroke:#e4e4ea;stroke-width:1}
.chart .area{fill:#dbe4f8}
.chart .line{fill:none;stroke:var(--accent);stroke-width:2}
.chart .limit{fill:none;stroke:var(--critical);stroke-width:1.5;stroke-dasharray:5 4}
.chart .usual{fill:none;stroke:var(--ok);stroke-width:1.5;stroke-dasharray:2 3}
.chart text{fill:var(--muted);font-size:11px}
.chart .mark line{stroke-width:2}
.chart .mark path{stroke:#fff;stroke-width:1}
.chart a:focus-visible path{stroke:var(--ink);stroke-width:3}
.chart .sev-info{stroke:var(--info);fill:var(--info)}
.chart .sev-low{stroke:var(--low);fill:var(--low)}
.chart .sev-medium{stroke:var(--medium);fill:var(--medium)}
.chart .sev-high{stroke:var(--high);fill:var(--high)}
.chart .sev-critical{stroke:var(--critical);fill:var(--critical)}
.legend{font-size:.8125rem;color:var(--muted);margin:.25rem 0 0}
.sev{display:inline-block;padding:0 .4rem;border-radius:.25rem;color:#fff;font-size:.8125rem;font-weight:600}
.sev.info{background:var(--info)}.sev.low{background:var(--low)}.sev.medium{background:var(--medium)}.sev.high{background:var(--high)}.sev.critical{background:var(--critical)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e4e4ea;vertical-align:top}
th{font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8125rem;overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.25rem 0}
label{display:block;font-weight:600;font-size:.8125rem}
input,select{font:inherit;padding:.3rem .5rem;border:1px solid #767676;border-radius:.25rem;background:#fff;color:var(--ink);max-width:100%}
button{font:inherit;font-weight:600;padding:.35rem .8rem;border:2px solid var(--accent);border-radius:.25rem;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--critical);border-color:var(--critical)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.tabs{display:flex;gap:.75rem;margin:0 0 1rem;padding:0;list-style:none}
.notice{border-left:4px solid var(--ok);background:#edf7ee;padding:.5rem .75rem;margin:0 0 1rem}
.alert{border-left:4px solid var(--critical);background:#fdecee;padding:.5rem .75rem;margin:0 0 1rem}
.muted{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.25rem 0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.big{font-size:1.75rem;font-weight:700}
@media (max-width:48rem){.grid{grid-template-columns:1fr}header.bar .who{margin-left:0}}
`;

/** The stylesheet's versioned URL (its content's hash: safe to cache for a year) and its route, outside /console so it is the same for everyone. */
export function consoleStylesheet(): { url: string; routes: Hono } {
  const body = new TextEncoder().encode(CONSOLE_CSS);
  const path = '/assets/console.css';
  const url = `${path}?v=${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
  const routes = new Hono();
  routes.get(path, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(body.slice());
  });
  return { url, routes };
}
