/**
 * A run as Prometheus series (docs/metrics.md): per window and ingress, the requests, errors,
 * latency percentiles and who served them; at the end, each phase's statistics, each budget's
 * verdict, time to impact and to recover, and the outcome. Pure. The Prometheus output pushes
 * these by remote write while the run goes on, and the run folder keeps them as OpenMetrics
 * text; both come from these functions, so what was pushed and what the file holds are the same.
 *
 * Names and labels are an interface (dashboards and alerts use them): renaming one is a breaking
 * change, adding one is not.
 */
import type { RunResult } from '../result-schema.js';
import { metricFamilies, type MetricFamily } from './metric-families.js';

/** One value of one series at one time (milliseconds since the epoch). */
export interface SeriesSample {
  family: MetricFamily;
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs: number;
}

/** Labels every series of a run carries. */
export interface RunLabels {
  run_id: string;
  scenario: string;
  environment: string;
}

/** What a window needs to become series: the ledger's live windows and result.json's both have it. */
export interface SeriesWindow {
  ingress: string;
  phase: string;
  endMs: number;
  requests: number;
  failures: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  servedBy: Record<string, number>;
}

/** The quantiles of the latency series, and the statistic each is. */
const quantiles = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

/** servedBy's word for "no mechanism configured": no share to show. */
const notMeasured = 'not measured';

/** The running totals of the counters, per ingress × phase (windows must come in time order). */
export class SeriesTotals {
  private readonly totals = new Map<string, { requests: number; errors: number }>();

  add(window: SeriesWindow): { requests: number; errors: number } {
    const key = `${window.ingress}\u0000${window.phase}`;
    const total = this.totals.get(key) ?? { requests: 0, errors: 0 };
    total.requests += window.requests;
    total.errors += window.failures;
    this.totals.set(key, total);
    return { ...total };
  }
}

/** The series of one closed window, at its end time. */
export function windowSeries(run: RunLabels, window: SeriesWindow, totals: SeriesTotals): SeriesSample[] {
  const labels = { ...run, ingress: window.ingress, phase: window.phase };
  const at = (family: MetricFamily, value: number, extra: Record<string, string> = {}): SeriesSample => ({
    family,
    labels: { ...labels, ...extra },
    value,
    timestampMs: window.endMs,
  });
  const total = totals.add(window);
  const samples = [
    at(metricFamilies.windowRequests, window.requests),
    at(metricFamilies.windowErrors, window.failures),
    at(metricFamilies.requestsTotal, total.requests),
    at(metricFamilies.requestErrorsTotal, total.errors),
  ];
  if (window.errorRate !== null) samples.push(at(metricFamilies.windowErrorRatio, window.errorRate));
  for (const [quantile, key] of quantiles) {
    const ms = window[key];
    if (ms !== null) samples.push(at(metricFamilies.windowLatency, ms / 1000, { quantile }));
  }
  if (window.requests > 0)
    for (const [cluster, count] of Object.entries(window.servedBy))
      if (cluster !== notMeasured)
        samples.push(at(metricFamilies.windowServedRatio, count / window.requests, { served_by: cluster }));
  return samples;
}

function runLabelsOf(result: Pick<RunResult, 'runId' | 'scenario' | 'environment'>): RunLabels {
  return { run_id: result.runId, scenario: result.scenario.name, environment: result.environment.name };
}

/** Every window of a finished run, in result.json's order (time order). */
export function windowSeriesOf(result: RunResult): SeriesSample[] {
  const run = runLabelsOf(result);
  const totals = new SeriesTotals();
  return result.windows.flatMap((window) => windowSeries(run, window, totals));
}

/** The series a run has once it is judged, all at its end time. */
export function endSeries(result: RunResult): SeriesSample[] {
  const run = runLabelsOf(result);
  const atMs = Date.parse(result.endedAt);
  const at = (family: MetricFamily, value: number, labels: Record<string, string> = {}): SeriesSample => ({
    family,
    labels: { ...run, ...labels },
    value,
    timestampMs: atMs,
  });
  const samples: SeriesSample[] = [];
  for (const { phase, ingress, stats } of result.phaseStats) {
    const labels = { ingress, phase };
    samples.push(at(metricFamilies.phaseRequests, stats.requests, labels));
    samples.push(at(metricFamilies.phaseErrors, stats.failures, labels));
    if (stats.errorRate !== null) samples.push(at(metricFamilies.phaseErrorRatio, stats.errorRate, labels));
    for (const [quantile, key] of quantiles) {
      const ms = stats[key];
      if (ms !== null) samples.push(at(metricFamilies.phaseLatency, ms / 1000, { ...labels, quantile }));
    }
  }
  for (const verdict of result.verdicts) {
    const labels = { ingress: verdict.ingress, phase: verdict.phase, budget: verdict.budget };
    const outcome = verdict.outcome ?? (verdict.pass ? 'pass' : 'fail');
    samples.push(at(metricFamilies.budgetPass, verdict.pass ? 1 : 0, { ...labels, verdict: outcome }));
    if (verdict.value !== null) samples.push(at(metricFamilies.budgetValue, verdict.value, labels));
    if (verdict.limit !== undefined) samples.push(at(metricFamilies.budgetLimit, verdict.limit, labels));
  }
  samples.push(...timingSeries(result, at));
  const outcome = result.outcome;
  samples.push(at(metricFamilies.runOutcome, 1, { outcome: outcome.status }));
  samples.push(at(metricFamilies.runExitCode, outcome.exitCode));
  samples.push(at(metricFamilies.runBudgetsHeld, outcome.budgetsHeld ? 1 : 0));
  samples.push(at(metricFamilies.runStart, Date.parse(result.startedAt) / 1000));
  samples.push(at(metricFamilies.runEnd, atMs / 1000));
  return samples;
}

/** A run that ended without a result (it threw before it was judged): its outcome is "error". */
export function brokenRunSeries(run: RunLabels, exitCode: number, atMs: number): SeriesSample[] {
  return [
    { family: metricFamilies.runOutcome, labels: { ...run, outcome: 'error' }, value: 1, timestampMs: atMs },
    { family: metricFamilies.runExitCode, labels: { ...run }, value: exitCode, timestampMs: atMs },
  ];
}

type At = (family: MetricFamily, value: number, labels?: Record<string, string>) => SeriesSample;

/** Time to impact and to recover per ingress: a value when measured, and always what kind it is. */
function timingSeries(result: RunResult, at: At): SeriesSample[] {
  const samples: SeriesSample[] = [];
  for (const timing of result.timings) {
    const labels = { ingress: timing.ingress };
    if (timing.timeToImpactMs !== null)
      samples.push(at(metricFamilies.timeToImpact, timing.timeToImpactMs / 1000, labels));
    if (timing.timeToRecoverMs !== null)
      samples.push(at(metricFamilies.timeToRecover, timing.timeToRecoverMs / 1000, labels));
    if (timing.impactDurationMs !== null && timing.impactDurationMs !== undefined)
      samples.push(at(metricFamilies.impactDuration, timing.impactDurationMs / 1000, labels));
    samples.push(
      at(metricFamilies.timingInfo, 1, {
        ...labels,
        impact: timing.impact ?? 'not-measured',
        recovery: timing.recovery ?? 'not-measured',
      }),
    );
  }
  return samples;
}
