/**
 * The shell of every HTML report: one self-contained file. Styles, the charting library and
 * the data are inline; a Content-Security-Policy forbids every fetch, so the page opens
 * offline and cannot call out even by mistake. Pure.
 */
import { scrubText } from './scrub.js';

/** The charting library's text, read by the writer from node_modules and passed in. */
export interface ChartAssets {
  script: string;
  css: string;
}

export function escapeHtml(text: string): string {
  return scrubText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Data for the page's script, safe inside a <script> element. */
function jsonScript(id: string, data: unknown): string {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="${id}">${json}</script>`;
}

/** A library's text inside a <script> element: `</script` must not end it early. */
function inlineScript(code: string): string {
  return `<script>${code.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
}

const csp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

export const baseCss = `
:root { --pass: #1a7f37; --fail: #cf222e; --muted: #59636e; --line: #d1d9e0; --fault: rgba(207, 34, 46, 0.10); }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #ffebe9; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.bar { display: flex; height: 14px; min-width: 160px; border-radius: 3px; overflow: hidden; background: #eee; }
.bar span { display: block; height: 100%; }
.chart { margin: 6px 0 14px; }
.chart-title { font-weight: 600; margin: 8px 0 0; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; } dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; }
`;

export function renderPage(options: {
  title: string;
  css: string;
  body: string;
  data: unknown;
  assets: ChartAssets;
  client: string;
}): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${options.assets.css}</style>`,
    `<style>${options.css}</style>`,
    '</head>',
    '<body>',
    `<main>${options.body}</main>`,
    jsonScript('report-data', options.data),
    inlineScript(options.assets.script),
    inlineScript(options.client),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Stable colours, one per cluster in the environment's order. */
export const palette = ['#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#57606a'];
