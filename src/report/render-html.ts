/**
 * report.html: one self-contained page to discuss a run — the verdict, a timeline per ingress
 * (request rate, error rate, p50/p95/p99, share served per cluster) with fault phases shaded
 * and events marked, the share of traffic each cluster served per phase, the verdict table,
 * the scenario as run, the environment and the journal's events. Tables are plain HTML; only
 * the charts need the (inlined) script. Pure.
 */
import { servedByNotMeasured } from '../budgets/sample.js';
import type { JournalEntry } from '../run/record/run-events.js';
import {
  describeVerdict,
  formatVerdictValue,
  formatMs,
  formatPercent,
  formatSeconds,
  formatUtc,
  runDurationMs,
  statusWord,
  verdictCounts,
} from './format-values.js';
import { baseCss, escapeHtml as e, palette, renderPage, type ChartAssets } from './html-page.js';
import { clientScript } from './html-client-script.js';
import type { RunReport } from './report-input.js';
import { buildChartView, describeEntry, type ChartView } from './report-view.js';
import type { RunResult } from './result-schema.js';
import { comparisonTable } from './render-comparisons.js';
import { outcomeWord, verdictNote } from './format-comparison.js';

export function renderHtml(report: RunReport, assets: ChartAssets): string {
  const { result } = report;
  const view = buildChartView(result, report.journal);
  const body = [
    header(result),
    '<h2>Timeline per ingress</h2>',
    `<p class="muted">Windows of ${formatSeconds(result.scenario.windowMs)}. Shaded red: phases with faults. Dashed lines: events, numbered as in the list below.</p>`,
    '<div id="charts"></div>',
    eventLegend(view),
    '<h2>Verdicts</h2>',
    verdictTable(result),
    '<h2>Compared with the baseline</h2>',
    comparisonTable(result),
    '<h2>Share of traffic each cluster served</h2>',
    shareTable(result, view),
    '<h2>Per phase</h2>',
    phaseTable(result),
    '<h2>Scenario as run</h2>',
    scenarioSection(result),
    '<h2>Environment</h2>',
    environmentSection(result),
    '<h2>Journal</h2>',
    journalTable(result, report.journal),
  ].join('\n');
  return renderPage({
    title: `${result.scenario.name}: ${statusWord(result)} — chaos report`,
    css: baseCss,
    body,
    data: { kind: 'run', view },
    assets,
    client: clientScript(),
  });
}

const badge = (ok: boolean, text: string) => `<span class="badge ${ok ? 'pass' : 'fail'}">${e(text)}</span>`;

function header(result: RunResult): string {
  const counts = verdictCounts(result);
  const expect =
    result.outcome.expectation === 'fail'
      ? 'negative control: expects its budgets to be breached'
      : 'expects its budgets to hold';
  return [
    `<h1>${e(result.scenario.name)} ${badge(result.outcome.status === 'passed', statusWord(result))}</h1>`,
    `<p>${e(result.outcome.reason)}</p>`,
    '<dl class="kv">',
    `<dt>verdicts</dt><dd>${counts.passed} of ${counts.total} passed; ${e(expect)}</dd>`,
    `<dt>started</dt><dd>${e(formatUtc(result.startedAt))}, ran ${e(formatSeconds(runDurationMs(result)))}; exit code ${result.outcome.exitCode}</dd>`,
    `<dt>environment</dt><dd>${e(result.environment.name)} (${result.environment.clusters.map((c) => `${e(c.name)}: <code>${e(c.context)}</code>`).join(', ')})</dd>`,
    `<dt>run</dt><dd><code>${e(result.runId)}</code> · chaos ${e(result.versions.chaos)} · k6 ${e(result.versions.k6)} · node ${e(result.versions.node)}</dd>`,
    ...result.timings.map(
      (t) =>
        `<dt>${e(t.ingress)}</dt><dd>time to impact ${t.timeToImpactMs === null ? 'none seen' : e(formatSeconds(t.timeToImpactMs))}; time to recover ${t.timeToRecoverMs === null ? 'n/a' : e(formatSeconds(t.timeToRecoverMs))}</dd>`,
    ),
    '</dl>',
  ].join('\n');
}

function eventLegend(view: ChartView): string {
  if (view.events.length === 0) return '<p class="muted">No fault events.</p>';
  return `<ol class="events">${view.events.map((ev) => `<li><code>+${ev.t.toFixed(1)}s</code> ${e(ev.label)}</li>`).join('')}</ol>`;
}

function verdictTable(result: RunResult): string {
  const rows = result.verdicts.map(
    (v) =>
      `<tr class="${v.pass ? 'pass' : 'fail'}" title="${e(describeVerdict(v))}"><td>${badge(v.pass, outcomeWord(v))}</td><td>${e(v.phase)}</td><td>${e(v.ingress)}</td><td><code>${e(v.budget)}</code></td><td class="num">${e(formatVerdictValue(v))}</td><td class="num">${v.samples}</td><td>${e(verdictNote(v) ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th></th><th>phase</th><th>ingress</th><th>budget</th><th class="num">measured</th><th class="num">samples</th><th>against</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function shareTable(result: RunResult, view: ChartView): string {
  const color = (cluster: string) => palette[Math.max(0, view.clusters.indexOf(cluster)) % palette.length]!;
  const legend = view.clusters.map((c) => `<span style="color:${color(c)}">■</span> ${e(c)}`).join(' &nbsp; ');
  const rows = result.phaseStats.map((s) => {
    const total = Object.values(s.stats.servedBy).reduce((a, b) => a + b, 0);
    const parts = view.clusters
      .filter((c) => (s.stats.servedBy[c] ?? 0) > 0)
      .map((c) => {
        const pct = ((s.stats.servedBy[c] ?? 0) / total) * 100;
        return { c, pct, n: s.stats.servedBy[c] ?? 0 };
      });
    // Requests no mechanism attributed are no cluster's: no segment, only words.
    const notMeasured = s.stats.servedBy[servedByNotMeasured] ?? 0;
    const bar = parts
      .map(
        (p) =>
          `<span style="width:${p.pct.toFixed(2)}%;background:${color(p.c)}" title="${e(`${p.c}: ${p.n} requests`)}"></span>`,
      )
      .join('');
    const words =
      notMeasured > 0 && parts.length === 0
        ? `served by: ${servedByNotMeasured}`
        : [
            ...parts.map((p) => `${e(p.c)} ${p.pct.toFixed(1)}% (${p.n})`),
            ...(notMeasured > 0 ? [`${servedByNotMeasured} (${notMeasured})`] : []),
          ].join(', ') || 'no requests';
    return `<tr><td>${e(s.phase)}</td><td>${e(s.ingress)}</td><td><div class="bar">${bar}</div></td><td>${words}</td></tr>`;
  });
  return `<p>${legend}</p><table><thead><tr><th>phase</th><th>ingress</th><th>share</th><th>served by</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function phaseTable(result: RunResult): string {
  const rows = result.phaseStats.map((s) => {
    const st = s.stats;
    const classes =
      Object.entries(st.statusClasses)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ') || '-';
    return `<tr><td>${e(s.phase)}</td><td>${e(s.ingress)}</td><td class="num">${e(formatSeconds(s.durationMs))}</td><td class="num">${st.requests}</td><td class="num">${e(formatPercent(st.errorRate))}</td><td class="num">${e(formatMs(st.p50))}</td><td class="num">${e(formatMs(st.p95))}</td><td class="num">${e(formatMs(st.p99))}</td><td class="num">${e(formatMs(st.max))}</td><td>${e(classes)}</td><td class="num">${st.dropped}</td></tr>`;
  });
  return `<table><thead><tr><th>phase</th><th>ingress</th><th class="num">duration</th><th class="num">requests</th><th class="num">errors</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th><th>status</th><th class="num">dropped</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function scenarioSection(result: RunResult): string {
  const s = result.scenario;
  const load = s.load;
  const phases = s.phases.map((p) => {
    const faults = p.faults.flatMap((f) =>
      f.targets.flatMap((t) =>
        t.mutations.map(
          (m) => `<li><code>${e(f.fault.id)}</code> (${e(f.fault.type)}) in ${e(t.cluster)}: ${e(m)}</li>`,
        ),
      ),
    );
    const overridden = p.durationMs === p.fileDurationMs ? '' : ` (file: ${e(formatSeconds(p.fileDurationMs))})`;
    return `<tr><td>${e(p.name)}</td><td class="num">${e(formatSeconds(p.durationMs))}${overridden}</td><td>${faults.length ? `<ul>${faults.join('')}</ul>` : '-'}</td></tr>`;
  });
  return [
    `<p>${e(s.description)}</p>`,
    '<dl class="kv">',
    `<dt>file</dt><dd><code>${e(s.file)}</code></dd>`,
    `<dt>expect</dt><dd>${e(s.expect)}</dd>`,
    `<dt>load</dt><dd>${load.ratePerSecond}/s per ingress, ${e(load.method)} ${load.paths.map((p) => `<code>${e(p)}</code>`).join(', ')}, timeout ${e(formatSeconds(load.timeoutMs))}${load.host ? `, Host <code>${e(load.host)}</code>` : ''}</dd>`,
    `<dt>budgets</dt><dd>${s.budgets.map((b) => `${e(b.phase)}: <code>${e(`${b.metric}: ${b.threshold}`)}</code>`).join('<br>') || '-'}</dd>`,
    `<dt>abort limits</dt><dd>${s.abortLimits.map((l) => `<code>${e(`${l.metric}: ${l.threshold}`)}</code>`).join('<br>') || '-'}</dd>`,
    '</dl>',
    `<table><thead><tr><th>phase</th><th class="num">duration</th><th>faults</th></tr></thead><tbody>${phases.join('\n')}</tbody></table>`,
  ].join('\n');
}

function environmentSection(result: RunResult): string {
  const env = result.environment;
  const clusters = env.clusters.map(
    (c) => `<tr><td>${e(c.name)}</td><td><code>${e(c.context)}</code></td><td>${e(c.region ?? '-')}</td></tr>`,
  );
  const targets = result.load.map(
    (l) =>
      `<tr><td>${e(l.ingress)}</td><td><code>${e(l.target)}</code></td><td class="num">${l.ratePerSecond}/s</td></tr>`,
  );
  return [
    `<p>${e(env.name)} (${e(env.file)}), app namespace <code>${e(env.namespace)}</code>.</p>`,
    `<table><thead><tr><th>cluster</th><th>context</th><th>region</th></tr></thead><tbody>${clusters.join('\n')}</tbody></table>`,
    `<table><thead><tr><th>ingress</th><th>target</th><th class="num">rate</th></tr></thead><tbody>${targets.join('\n')}</tbody></table>`,
  ].join('\n');
}

function journalTable(result: RunResult, journal: readonly JournalEntry[]): string {
  const origin = Date.parse(result.startedAt);
  const rows = journal
    .map((entry) => ({ entry, text: describeEntry(entry) }))
    .filter((row) => row.text !== undefined)
    .map(
      ({ entry, text }) =>
        `<tr><td class="num"><code>${e(`${((entry.atMs - origin) / 1000).toFixed(1)}s`)}</code></td><td><code>${e(new Date(entry.atMs).toISOString().slice(11, 23))}</code></td><td>${e(entry.type)}</td><td>${e(text ?? '')}</td></tr>`,
    );
  return `<table><thead><tr><th class="num">+</th><th>UTC</th><th>entry</th><th>what</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
