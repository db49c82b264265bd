import type { Theme } from './theme.js';

/**
 * The one stylesheet of the hosted pages, served from hush as a file (the CSP
 * allows no inline style). System fonts only: nothing is fetched from elsewhere.
 * Every colour that carries text meets WCAG AA on its background; focus is a
 * thick outline in the accent colour; the layout is one column that fits 320 px.
 */
export function pageCss(theme: Theme): string {
  return `:root{--brand:${theme.brand};--on-brand:${theme.onBrand};--accent:${theme.accent};--ink:#1a1a1a;--muted:#4d4d4d;--line:#767676;--error:#b00020;--ok:#1b5e20;--bg:#f4f4f6}
*,*::before,*::after{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center}
.skip{position:absolute;left:-10000px;top:0}
.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:2}
header.brand{width:100%;border-top:4px solid var(--brand);padding:1.25rem 1rem .5rem;text-align:center}
header.brand a{display:inline-flex;align-items:center;gap:.5rem;color:var(--ink);text-decoration:none;font-weight:700;font-size:1.25rem}
header.brand img{height:2rem;width:auto}
main{width:100%;max-width:28rem;padding:0 1rem 2rem}
.card{background:#fff;border:1px solid #d0d0d6;border-radius:.5rem;padding:1.5rem 1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
a{color:var(--accent)}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{display:block;color:var(--muted);font-size:.875rem;margin:-.125rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:2px solid var(--line);border-radius:.375rem;background:#fff;color:var(--ink)}
input[aria-invalid=true]{border-color:var(--error)}
.error{color:var(--error);font-size:.9375rem;margin:.25rem 0 0}
.error:empty{display:none}
button{font:inherit;font-weight:600;display:inline-block;width:100%;padding:.75rem 1rem;border:2px solid var(--brand);border-radius:.375rem;background:var(--brand);color:var(--on-brand);cursor:pointer}
button.secondary{background:#fff;color:var(--accent);border-color:var(--accent)}
button[disabled]{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
input:focus-visible{outline-offset:1px}
.alert{border-left:4px solid var(--error);background:#fdecee;padding:.75rem 1rem;margin:0 0 1rem}
.alert:empty{display:none}
.notice{border-left:4px solid var(--ok);background:#edf7ee;padding:.75rem 1rem;margin:0 0 1rem}
.status{color:var(--muted);min-height:1.5rem;margin:.5rem 0 0}
.links{margin:1.25rem 0 0;padding:0;list-style:none}
.links li{margin:.375rem 0}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.pow{display:none}
[hidden]{display:none!important}
.mail{border-top:1px solid #d0d0d6;padding:.75rem 0}
.mail pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.875rem;background:var(--bg);padding:.5rem;margin:.5rem 0}
.mail a{overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.875rem;margin:0}
.qr svg{display:block;width:12rem;height:12rem;margin:.5rem 0}
.secret,.codes{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.codes{columns:2;padding-left:1.25rem}
.sessions{list-style:none;padding:0;margin:0}
.sessions li{border-top:1px solid #d0d0d6;padding:.5rem 0}
.sessions form{margin:.25rem 0 0}
footer{color:var(--muted);font-size:.875rem;padding:0 1rem 1.5rem;text-align:center}
`;
}
