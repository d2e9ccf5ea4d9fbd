// The web page's one stylesheet (fleet-page.ts) and the CSP source that allows exactly it: the
// page's Content-Security-Policy names this text's hash, so no other style and no script can run.

import { createHash } from 'node:crypto';

// Colours also differ by symbol (fleet-page.ts), so the timeline reads without colour too.
export const PAGE_STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--grey:#6e7781;--warn:#9a6700;--line:#d0d7de;--soft:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--ok:#2ea043;--bad:#e5534b;--warn:#d29922;--line:#30363d;--soft:#161b22}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;padding:.8rem 1.5rem 2rem}
h1{font-size:1.4rem;margin:.3rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}h3{font-size:1rem;margin:0 0 .3rem}
h4{font-size:.9rem;margin:0 0 .3rem}p{margin:.25rem 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600;background:var(--soft)}
code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
ul.plain{list-style:none;margin:0;padding:0}ul.plain li{white-space:nowrap}
.muted{color:var(--grey)}
.badge{display:inline-block;padding:0 .5em;border:1px solid;border-radius:1em;font-size:.8rem;font-weight:600;white-space:nowrap}
.ok{color:var(--ok)}.degraded{color:var(--warn)}.failing{color:var(--bad)}.paused,.unknown{color:var(--grey)}
.timeline{display:flex;flex-wrap:wrap;gap:2px;list-style:none;margin:0 0 .2rem;padding:0;max-width:36em}
.timeline li,.legend b{display:inline-block;width:1.2em;height:1.5em;line-height:1.5em;text-align:center;color:#fff;font-size:.8rem;font-weight:700;border-radius:2px}
.r-success{background:var(--ok)}.r-failure,.r-timeout,.r-unexpected{background:var(--bad)}.r-cancelled{background:var(--grey)}
.legend{margin:.2rem 0 .6rem}.legend span{margin-right:1rem}
.failure{display:grid;grid-template-columns:minmax(0,3fr) minmax(12rem,2fr);gap:1rem;border:1px solid var(--line);border-left:4px solid var(--bad);border-radius:4px;padding:.6rem .8rem;margin:.5rem 0}
.runbook{border-left:1px solid var(--line);padding-left:1rem;white-space:pre-wrap;overflow-wrap:anywhere}
pre.error{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);padding:.4rem .5rem;margin:.3rem 0;border-radius:3px}
.flash{padding:.5rem .8rem;border:1px solid var(--ok);border-radius:4px;margin:.6rem 0}
.flash.error{border-color:var(--bad)}
.bar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.6rem 0;padding:.5rem .8rem;background:var(--soft);border-radius:4px}
form{margin:.25rem 0}form.inline{display:inline}
form.control{display:flex;flex-wrap:wrap;gap:.35rem;align-items:center}
input[type=text],input[type=password]{padding:.15rem .3rem}
details summary{cursor:pointer;white-space:nowrap}
`;

/** The `style-src` source for PAGE_STYLE (CSP Level 2 hash of the text inside <style>). */
export const PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;
