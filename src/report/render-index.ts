/**
 * reports/index.html: every run with its verdict and key numbers (newest first, each linking
 * to its report.html), each scenario's trend across runs as a chart, its last runs' time to
 * recover and fault-phase p95 and a "flaky" mark, and the batches. One self-contained file like
 * report.html. Pure.
 */
import { formatMs, formatPercent, formatSeconds, formatUtc } from './format-values.js';
import { baseCss, escapeHtml as e, renderPage, type ChartAssets } from './html-page.js';
import { clientScript } from './html-client-script.js';
import type { IndexScenario, RunIndex } from './run-index.js';
import { trendRuns } from './scenario-trends.js';
import { sparkline } from './sparkline.js';

const badge = (status: string) => `<span class="badge ${status === 'passed' ? 'pass' : 'fail'}">${e(status)}</span>`;
const seconds = (ms: number | null) => (ms === null ? '-' : formatSeconds(ms));

export function renderIndexHtml(index: RunIndex, assets: ChartAssets): string {
  const body = [
    '<h1>chaos runs</h1>',
    `<p class="muted">${index.runs.length} run(s) of ${index.scenarios.length} scenario(s). Worst values are over the phases with faults and every ingress.</p>`,
    '<h2>Scenarios</h2>',
    index.scenarios.length === 0 ? '<p>No runs yet.</p>' : scenarioTable(index),
    ...index.scenarios.map((s, i) => `<div id="trend-${i}"></div>`),
    '<h2>Runs</h2>',
    runTable(index),
    ...(index.batches.length > 0 ? ['<h2>Batches</h2>', batchTable(index)] : []),
    ...(index.unreadable.length > 0
      ? [
          '<h2>Unreadable run folders</h2>',
          `<ul>${index.unreadable.map((u) => `<li><code>${e(u.folder)}</code>: ${e(u.reason)}</li>`).join('')}</ul>`,
        ]
      : []),
  ].join('\n');
  return renderPage({
    title: 'chaos runs',
    css: `${baseCss}\n.badge.flaky { background: #9a6700; } .spark { font-family: monospace; letter-spacing: 1px; }`,
    body,
    data: { kind: 'index', index: { scenarios: index.scenarios.map((s) => ({ name: s.name, points: s.points })) } },
    assets,
    client: clientScript(),
  });
}

function scenarioTable(index: RunIndex): string {
  const rows = index.scenarios.map(
    (s) =>
      `<tr><td>${e(s.name)}${flakyBadge(s)}</td><td>${badge(s.lastStatus)}</td><td class="num">${s.passed} / ${s.runs}</td><td><span class="trend">${s.points.map((p) => (p.status === 'passed' ? '●' : '✕')).join(' ')}</span></td><td>${trendCell(
        s.trend.points.map((p) => p.timeToRecoverMs),
        s.trend.timeToRecoverMs,
        seconds,
      )}</td><td>${trendCell(
        s.trend.points.map((p) => p.faultP95),
        s.trend.faultP95,
        formatMs,
      )}</td><td><a href="${e(`${s.lastFolder}/report.html`)}">latest report</a></td></tr>`,
  );
  return `<table><thead><tr><th>scenario</th><th>last</th><th class="num">passed / runs</th><th>history (oldest first)</th><th>time to recover, last ${trendRuns} runs</th><th>fault-phase p95, last ${trendRuns} runs</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** "flaky", with the flips in its title: which runs, from what to what, on which chaos version. */
function flakyBadge(s: IndexScenario): string {
  if (!s.flaky) return '';
  const flips = s.flips.map((f) => `${f.before} ${f.from} → ${f.after} ${f.to} (chaos ${f.chaosVersion})`).join('\n');
  return ` <span class="badge flaky" title="${e(`verdict flipped between consecutive runs on the same chaos version and scenario file:\n${flips}`)}">flaky</span>`;
}

/** A trend: a sparkline (oldest first, blank where a run has no number), then newest, median, max. */
function trendCell(
  values: Array<number | null>,
  spread: { last: number | null; median: number | null; max: number | null },
  format: (value: number | null) => string,
): string {
  if (values.every((v) => v === null)) return '<span class="muted">-</span>';
  return `<span class="spark">${e(sparkline(values, values.length))}</span> ${e(format(spread.last))} <span class="muted">(median ${e(format(spread.median))}, max ${e(format(spread.max))})</span>`;
}

function runTable(index: RunIndex): string {
  const rows = index.runs.map(
    (r) =>
      `<tr class="${r.status === 'passed' ? 'pass' : 'fail'}"><td>${r.pruned ? `${e(formatUtc(r.startedAt))} <span class="muted">(pruned)</span>` : `<a href="${e(r.report)}">${e(formatUtc(r.startedAt))}</a>`}</td><td>${e(r.scenario)}</td><td>${badge(r.status)}</td><td class="num">${r.verdicts.passed}/${r.verdicts.total}</td><td class="num">${r.requests}</td><td class="num">${e(formatPercent(r.worst.errorRate))}</td><td class="num">${e(formatMs(r.worst.p95))}</td><td class="num">${e(formatMs(r.worst.p99))}</td><td class="num">${e(r.impact ?? seconds(r.timeToImpactMs))}</td><td class="num">${e(r.recovery ?? seconds(r.timeToRecoverMs))}</td><td>${e(r.environment)}</td><td title="${e(r.reason)}">${e(r.reason.split('\n')[0] ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th>started</th><th>scenario</th><th>status</th><th class="num">verdicts</th><th class="num">requests</th><th class="num">worst errors</th><th class="num">worst p95</th><th class="num">worst p99</th><th class="num">impact</th><th class="num">recover</th><th>env</th><th>why</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function batchTable(index: RunIndex): string {
  const rows = index.batches.map(
    (b) =>
      `<tr><td><a href="${e(`${b.folder}/summary.md`)}">${e(formatUtc(b.startedAt))}</a></td><td class="num">${b.exitCode}</td><td>${b.runs.map((r) => (r.folder ? `<a href="${e(`${r.folder}/report.html`)}">${e(r.scenario)}</a>` : e(r.scenario)) + ` (${r.exitCode})`).join(', ')}</td></tr>`,
  );
  return `<table><thead><tr><th>started</th><th class="num">exit</th><th>scenarios (exit code)</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
