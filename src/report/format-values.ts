/**
 * How reports write numbers and verdicts: the same words in JUnit, Markdown and HTML. Pure.
 */
import type { ResultVerdict, RunResult } from './result-schema.js';

export function formatMs(value: number | null): string {
  if (value === null) return '-';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function formatPercent(ratio: number | null): string {
  if (ratio === null) return '-';
  const pct = ratio * 100;
  return `${pct === 0 || pct >= 10 ? pct.toFixed(1) : pct.toFixed(2)}%`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `http_req_duration{ingress:central}: p(95)<300` → metric part and threshold part. */
export function splitBudget(budget: string): { metric: string; threshold: string } {
  const at = budget.indexOf(': ');
  return at < 0 ? { metric: budget, threshold: '' } : { metric: budget.slice(0, at), threshold: budget.slice(at + 2) };
}

export function formatMeasured(budget: string, value: number | null): string {
  if (value === null) return 'no samples';
  const { metric, threshold } = splitBudget(budget);
  if (metric.startsWith('http_req_failed')) return `${formatPercent(value)} failed`;
  if (metric.startsWith('http_req_duration')) return formatMs(value);
  if (metric.startsWith('time_to_') || metric.startsWith('impact_duration')) return `${Math.round(value)} ms`;
  if (threshold.startsWith('rate')) return `${value.toFixed(2)}/s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** The MEASURED cell: the value, or for a time with no number why ("not impacted", "never recovered"). */
export function formatVerdictValue(v: Pick<ResultVerdict, 'budget' | 'value' | 'timing'>): string {
  if (v.timing === 'recovered-during-fault')
    return `${formatMeasured(v.budget, v.value)} from the fault's start (recovered during the fault)`;
  return v.timing ? v.timing.replace(/-/g, ' ') : formatMeasured(v.budget, v.value);
}

type ResultTiming = RunResult['timings'][number];

/**
 * One ingress's time to impact or to recover in words, for every outcome: "1.2 s", "not
 * impacted", "never recovered", "not measured", "recovered during the fault, 0.3 s after it
 * began; impact lasted 0.2 s" (results written before the outcomes were recorded keep their
 * words: "none seen", "n/a").
 */
export function formatTiming(t: ResultTiming, which: 'impact' | 'recovery'): string {
  const kind = which === 'impact' ? t.impact : t.recovery;
  const ms = which === 'impact' ? t.timeToImpactMs : t.timeToRecoverMs;
  if (kind === 'recovered-during-fault' && ms !== null) {
    const lasted =
      t.impactDurationMs === null || t.impactDurationMs === undefined
        ? ''
        : `; impact lasted ${formatSeconds(t.impactDurationMs)}`;
    return `recovered during the fault, ${formatSeconds(ms)} after it began${lasted}`;
  }
  if (ms !== null) return formatSeconds(ms);
  if (kind) return kind.replace(/-/g, ' ');
  return which === 'impact' ? 'none seen' : 'n/a';
}

/** One sentence: what was measured, against what, where. */
export function describeVerdict(verdict: ResultVerdict): string {
  const { metric, threshold } = splitBudget(verdict.budget);
  const where = `in phase ${verdict.phase} on ingress ${verdict.ingress}`;
  if (verdict.timing)
    return `${metric}: ${formatVerdictValue(verdict)} ${where}; budget ${threshold} ${verdict.outcome === 'no-data' ? 'has no data (no fault or no baseline), which fails' : verdict.pass ? 'held' : 'breached'}`;
  if (verdict.value === null)
    return `${metric}: no samples ${where}, so budget ${threshold} cannot hold (a budget with no samples fails)`;
  const raw = Number.isInteger(verdict.value) ? String(verdict.value) : verdict.value.toFixed(4);
  const judged =
    verdict.outcome === 'inconclusive'
      ? `budget ${threshold} inconclusive${verdict.needed === undefined ? '' : ` (needs ${verdict.needed} samples)`}`
      : verdict.outcome === 'no-data'
        ? `budget ${threshold} has no data to judge against (its baseline had none)`
        : `budget ${threshold} ${verdict.pass ? 'held' : 'breached'}`;
  return `${metric} measured ${formatMeasured(verdict.budget, verdict.value)} (${raw}) over ${verdict.samples} samples ${where}; ${judged}`;
}

export function runDurationMs(result: RunResult): number {
  return Date.parse(result.endedAt) - Date.parse(result.startedAt);
}

/** `2026-11-22 02:47:32Z` */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

export function statusWord(result: RunResult): string {
  return result.outcome.status === 'passed' ? 'PASSED' : result.outcome.status.toUpperCase();
}

const notMeasured = 'not measured';

/** Share of each cluster in a servedBy map, largest first: `west 98%, central 2%`. */
export function formatShares(servedBy: Record<string, number>): string {
  const total = Object.values(servedBy).reduce((a, b) => a + b, 0);
  if (total === 0) return '-';
  // No served-by mechanism configured: say so, not "unknown" (which means the mechanism gave nothing).
  if (Object.keys(servedBy).every((cluster) => cluster === notMeasured)) return notMeasured;
  return Object.entries(servedBy)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([cluster, n]) => `${cluster} ${Math.round((n / total) * 100)}%`)
    .join(', ');
}

/** Failing verdicts count against the run only when the scenario expects its budgets to hold. */
export function verdictCounts(result: RunResult): { passed: number; failed: number; total: number } {
  const failed = result.verdicts.filter((v) => !v.pass).length;
  return { passed: result.verdicts.length - failed, failed, total: result.verdicts.length };
}
