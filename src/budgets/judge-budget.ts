/**
 * A budget's verdict over one phase × ingress, with the two rules a window does not apply:
 * enough samples for a percentile, and relative budgets resolved against the baseline phase.
 * Pure; the rules and their reasons are in docs/verdicts.md.
 */
import { measure, type Measurement } from './evaluate.js';
import type { RequestStats } from './stats.js';
import { resolveLimit, type Aggregation, type MetricSelector, type Threshold } from './threshold.js';

/** Samples needed beyond the percentile (on its far side) for the estimate to be a claim. */
const tailSamples = 10;

/**
 * The samples a percentile needs: n such that n·(1 − q/100) ≥ 10 (the nearer tail for q < 50).
 * undefined for aggregations that need no such rule (p(0), p(100), min, max, avg, rates, counts).
 */
export function neededSamples(aggregation: Aggregation): number | undefined {
  const q = aggregation.kind === 'med' ? 50 : aggregation.kind === 'percentile' ? aggregation.percentile : undefined;
  if (q === undefined || q <= 0 || q >= 100) return undefined;
  const tail = Math.min(q, 100 - q);
  // Rounded to 1e-6 first: 100 − 99.9 is 0.0999…94 in binary, and 10001 would be a wrong answer.
  return Math.ceil(Number(((tailSamples * 100) / tail).toFixed(6)));
}

export interface PhaseStats {
  phase: string;
  stats: RequestStats | undefined;
  durationMs: number;
}

const noData: Measurement = { value: null, pass: false, outcome: 'no-data', samples: 0 };

/** One measurement with the sample rule: a percentile over fewer samples than it needs is inconclusive. */
function judgeAbsolute(
  selector: MetricSelector,
  threshold: Threshold,
  at: PhaseStats,
  limit = threshold.value,
): Measurement {
  if (!at.stats) return { ...noData, limit };
  const measurement = measure(selector, threshold, at.stats, at.durationMs, limit);
  const needed = selector.kind === 'trend' ? neededSamples(threshold.aggregation) : undefined;
  if (needed === undefined || measurement.value === null || measurement.samples >= needed) return measurement;
  return { ...measurement, pass: false, outcome: 'inconclusive', needed };
}

/**
 * A budget's verdict. A relative one (`< baseline + 50`) is judged against the same aggregation
 * of the same samples in `baseline`: no data or inconclusive there makes the verdict the same.
 */
export function judgeBudget(
  selector: MetricSelector,
  threshold: Threshold,
  at: PhaseStats,
  baseline: PhaseStats | undefined,
): Measurement {
  if (!threshold.relative) return judgeAbsolute(selector, threshold, at);
  const reference = baseline ? judgeAbsolute(selector, threshold, baseline) : noData;
  const base = { phase: baseline?.phase ?? 'baseline', value: reference.value };
  if (reference.value === null || reference.outcome === 'inconclusive') {
    const { limit: _unresolved, ...own } = judgeAbsolute(selector, threshold, at, NaN);
    if (reference.value === null) return { ...own, pass: false, outcome: 'no-data', baseline: base };
    // The baseline's own estimate cannot carry the claim: it needs the samples, not this phase.
    return { ...own, pass: false, outcome: 'inconclusive', needed: reference.needed, baseline: base };
  }
  return {
    ...judgeAbsolute(selector, threshold, at, resolveLimit(threshold.relative, reference.value)),
    baseline: base,
  };
}
