/**
 * summary.md: a short Markdown verdict for a pull-request comment or a chat message — the
 * headline, what failed, and one line of numbers per phase × ingress. For a batch, one row
 * per scenario and the failures of each. Pure.
 */
import {
  formatVerdictValue,
  formatMs,
  formatPercent,
  formatSeconds,
  formatShares,
  formatTiming,
  formatUtc,
  runDurationMs,
  statusWord,
  verdictCounts,
} from './format-values.js';
import type { BatchItem, BatchReport, RunReport } from './report-input.js';
import type { RunResult } from './result-schema.js';
import { scrubText } from './scrub.js';

const mark = (ok: boolean) => (ok ? '✅' : '❌');
/** A table cell: one line, no pipes. */
const cell = (text: string) =>
  scrubText(text)
    .replace(/\r?\n\s*/g, ' ')
    .replace(/\|/g, '\\|');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function renderSummary(report: RunReport): string {
  const { result } = report;
  const lines = [
    `### ${mark(result.outcome.status === 'passed')} ${result.scenario.name}: ${statusWord(result)}`,
    '',
    cell(result.outcome.reason),
    '',
    contextLine(result),
    '',
    ...verdictLines(result),
    '',
    '| phase | ingress | requests | errors | p95 | p99 | served by |',
    '|---|---|--:|--:|--:|--:|---|',
    ...result.phaseStats.map(
      (s) =>
        `| ${cell(s.phase)} | ${cell(s.ingress)} | ${s.stats.requests} | ${formatPercent(s.stats.errorRate)} | ${formatMs(s.stats.p95)} | ${formatMs(s.stats.p99)} | ${cell(formatShares(s.stats.servedBy))} |`,
    ),
    '',
    timingLine(result),
    '',
    `<sub>run ${result.runId} · ${cell(report.folder)}/ · chaos ${cell(result.versions.chaos)} · k6 ${cell(result.versions.k6)}</sub>`,
  ];
  return `${lines.join('\n')}\n`;
}

export function renderBatchSummary(batch: BatchReport): string {
  const passed = batch.items.filter(
    (item) => item.kind === 'run' && item.report.result.outcome.status === 'passed',
  ).length;
  const total = batch.items.length;
  const lines = [
    `### ${mark(passed === total)} ${passed === total ? `all ${total} scenarios passed` : `${passed} of ${total} scenarios passed`}`,
    '',
    `exit code ${batch.batch.exitCode} · ${formatUtc(batch.batch.startedAt)} · ${formatSeconds(Date.parse(batch.batch.endedAt) - Date.parse(batch.batch.startedAt))}`,
    '',
    '| scenario | status | verdicts | why | folder |',
    '|---|---|--:|---|---|',
    ...batch.items.map(batchRow),
  ];
  for (const item of batch.items) {
    if (item.kind !== 'run' || item.report.result.outcome.status === 'passed') continue;
    lines.push('', `**${cell(item.report.result.scenario.name)}**`, '', ...verdictLines(item.report.result));
  }
  return `${lines.join('\n')}\n`;
}

function batchRow(item: BatchItem): string {
  if (item.kind === 'error')
    return `| ${cell(item.scenario)} | ❌ error | - | ${cell(item.message)} | ${item.folder ? `${cell(item.folder)}/` : '-'} |`;
  const { result } = item.report;
  const counts = verdictCounts(result);
  return `| ${cell(result.scenario.name)} | ${mark(result.outcome.status === 'passed')} ${result.outcome.status} | ${counts.passed}/${counts.total} | ${cell(result.outcome.reason)} | ${cell(item.report.folder)}/ |`;
}

function contextLine(result: RunResult): string {
  const clusters = result.environment.clusters.map((c) => `${c.name} → ${c.context}`).join(', ');
  const expect =
    result.outcome.expectation === 'fail'
      ? 'negative control (expects its budgets to be breached)'
      : 'expects its budgets to hold';
  return cell(
    `${expect} · environment ${result.environment.name} (${clusters}) · ${formatUtc(result.startedAt)} · ${formatSeconds(runDurationMs(result))}`,
  );
}

function verdictLines(result: RunResult): string[] {
  const counts = verdictCounts(result);
  const failed = result.verdicts.filter((v) => !v.pass);
  if (failed.length === 0) return [`All ${counts.total} budget verdicts passed.`];
  const title =
    result.outcome.expectation === 'fail'
      ? `Breached (as this negative control expects), ${counts.failed} of ${counts.total}:`
      : `Failed, ${counts.failed} of ${counts.total} budget verdicts:`;
  return [
    title,
    '',
    '| phase | ingress | budget | measured | samples |',
    '|---|---|---|--:|--:|',
    ...failed.map(
      (v) =>
        `| ${cell(v.phase)} | ${cell(v.ingress)} | ${code(v.budget)} | ${cell(formatVerdictValue(v))} | ${v.samples} |`,
    ),
  ];
}

function timingLine(result: RunResult): string {
  const parts = result.timings.map(
    (t) => `${t.ingress}: time to impact ${formatTiming(t, 'impact')}, to recover ${formatTiming(t, 'recovery')}`,
  );
  return cell(parts.join(' · '));
}
