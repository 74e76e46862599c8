/**
 * The console is a renderer of run events: pure functions from events and outcome to text.
 */
import { timingLines } from './render-timing.js';
import type { WindowSummary } from '../budgets/ledger.js';
import type { RunEvent } from '../run/record/run-events.js';
import type { RunOutcome } from '../run/judge/judge-run.js';
import { formatDuration } from '../input/units.js';
import { describeComparison, outcomeWord, verdictNote } from './format-comparison.js';
import type { ResultComparison } from './result-schema.js';
import { describeServedBy } from './served-by-shares.js';

const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)}ms`);
const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

/** One line per window batch: phase, time left, and each ingress's rate, error rate and p95. */
export function renderProgress(
  phase: { name: string; startedAtMs: number; plannedMs: number } | undefined,
  windows: readonly WindowSummary[],
  nowMs: number,
): string {
  const left = phase ? Math.max(0, phase.startedAtMs + phase.plannedMs - nowMs) : 0;
  const head = phase ? `[${phase.name} ${formatDuration(Math.round(left / 1000) * 1000)} left]` : '[starting]';
  const parts = windows.map((w) => {
    const rate = w.requests / ((w.endMs - w.startMs) / 1000);
    const served = describeServedBy(w);
    return `${w.ingress}: ${rate.toFixed(1)}/s err ${pct(w.errorRate)} p95 ${ms(w.p95)}${served ? ` (served by ${served})` : ''}`;
  });
  return `${head} ${parts.join(' | ')}`;
}

export function renderEvent(event: RunEvent, startMs: number): string | undefined {
  const at = `+${((event.atMs - startMs) / 1000).toFixed(1)}s`;
  switch (event.type) {
    case 'run-started':
      return `run ${event.runId}: ${event.scenario} on ${event.environment} → ${event.runDir}`;
    case 'load-started':
      return `${at} load flowing: ${Object.entries(event.ingresses)
        .map(([name, url]) => `${name} ${url}`)
        .join(', ')}`;
    case 'phase-started':
      return `${at} phase ${event.phase} (${formatDuration(event.plannedMs)})`;
    case 'fault-applied':
      return `${at} fault ${event.faultId} applied in ${event.cluster}, effective after ${event.effectiveAtMs - event.atMs}ms`;
    case 'fault-reverted':
      return `${at} fault ${event.faultId} reverted in ${event.cluster}`;
    case 'abort':
      return `${at} ABORT: ${event.reason}`;
    case 'revert-all':
      return `${at} revert all (${event.reason}): done in ${event.finishedAtMs - event.atMs}ms${event.failures.length ? `; NOT reverted: ${event.failures.join('; ')}` : ''}`;
    case 'k6-ended':
      return `${at} k6 ${event.end}`;
    case 'log':
      return event.level === 'info' ? `${at} ${event.message}` : `${at} ${event.level}: ${event.message}`;
    case 'window':
      return undefined;
  }
}

/** The verdict table: one row per budget × phase × ingress, the comparisons with the baseline, then the outcome. */
export function renderVerdicts(outcome: RunOutcome, comparisons: readonly ResultComparison[] = []): string {
  const rows = outcome.verdicts.map((v) => [
    outcomeWord(v),
    v.phase,
    v.ingress,
    v.budget,
    v.timing ? v.timing.replace('-', ' ') : v.value === null ? 'no samples' : formatValue(v.budget, v.value),
    String(v.samples),
    verdictNote(v) ?? '',
  ]);
  const header = ['', 'PHASE', 'INGRESS', 'BUDGET', 'MEASURED', 'SAMPLES', 'AGAINST'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    '',
    ...timingLines(outcome),
    ...comparisons.map((c) => `  ${c.ingress}: ${describeComparison(c)}`),
    '',
    `${outcome.status.toUpperCase()}: ${outcome.reason}`,
  ].join('\n');
}

function formatValue(budget: string, value: number): string {
  if (budget.startsWith('http_req_failed')) return pct(value);
  if (budget.startsWith('http_req_duration')) return ms(value);
  if (budget.startsWith('time_to_')) return `${Math.round(value)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
