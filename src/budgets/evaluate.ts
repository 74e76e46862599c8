/** Judge one budget on one set of statistics. Pure. */
import type { LoadSample } from './sample.js';
import type { RequestStats } from './stats.js';
import { checksMetric, compare, isRequestMetric, type MetricSelector, type Threshold } from './threshold.js';

type RequestSample = Extract<LoadSample, { kind: 'request' }>;
type ValueSample = Extract<LoadSample, { kind: 'check' | 'metric' }>;

/**
 * What a verdict says. `pass` and `fail` are judged on measured data; `no-data` had nothing to
 * measure; `inconclusive` had data that cannot support the claim (too few samples, load not
 * delivered). Only `pass` passes.
 */
type VerdictOutcome = 'pass' | 'fail' | 'no-data' | 'inconclusive';

export interface Measurement {
  /** The measured value, or null when there were no samples (which is a failure). */
  value: number | null;
  pass: boolean;
  outcome: VerdictOutcome;
  samples: number;
  /** The limit the value was compared with: the threshold's number, or a relative one resolved. */
  limit?: number;
  /** An inconclusive percentile: the samples it would need (docs/verdicts.md, "Enough samples"). */
  needed?: number;
  /** A relative budget: the phase it is relative to and the value measured there. */
  baseline?: { phase: string; value: number | null };
  /** time_to_impact / time_to_recover without a number: why (value is null). */
  timing?: 'not-impacted' | 'never-recovered' | 'not-measured';
}

/** Does a request count for this selector? `ingress` is the scope of judgement, handled by the caller. */
export function matchesTags(selector: MetricSelector, sample: RequestSample, method: string): boolean {
  for (const [tag, expected] of Object.entries(selector.tags)) {
    switch (tag) {
      case 'ingress':
        break;
      case 'reached':
        if (expected !== 'any' && (expected === 'true') !== sample.reached) return false;
        break;
      case 'served_by':
        if (expected !== sample.servedBy) return false;
        break;
      case 'status':
        if (expected !== String(sample.status)) return false;
        break;
      case 'path':
        if (expected !== sample.path) return false;
        break;
      case 'method':
        if (expected.toUpperCase() !== (sample.method ?? method).toUpperCase()) return false;
        break;
      case 'name':
        if (expected !== (sample.name ?? sample.path)) return false;
        break;
      default:
        if (sample.tags?.[tag] !== expected) return false;
    }
  }
  return true;
}

/** Does a check or metric value count for this selector (`checks` or the script's metric, with its tags)? */
export function matchesValue(selector: MetricSelector, sample: ValueSample): boolean {
  if (sample.kind === 'check' ? selector.metric !== checksMetric : selector.metric !== sample.metric) return false;
  for (const [tag, expected] of Object.entries(selector.tags)) {
    if (tag === 'ingress') continue;
    const actual = tag === 'check' && sample.kind === 'check' ? sample.check : sample.tags?.[tag];
    if (actual !== expected) return false;
  }
  return true;
}

/**
 * A key that is equal for selectors that select the same samples (ingress aside). Request
 * metrics share statistics per tag filter; a check or script metric has its own, by name.
 */
export function filterKey(selector: MetricSelector): string {
  const { ingress: _ingress, ...rest } = selector.tags;
  const tags = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  return isRequestMetric(selector.metric) ? tags : `${selector.metric}#${tags}`;
}

/**
 * Measure one aggregation and compare it with `limit` (the threshold's own number unless a
 * relative one was resolved). A count of nothing is a measured 0; a rate of nothing is no data.
 */
export function measure(
  selector: MetricSelector,
  threshold: Threshold,
  stats: RequestStats,
  durationMs: number,
  limit = threshold.value,
): Measurement {
  const { value, samples } = measuredValue(selector, threshold.aggregation, stats, durationMs);
  const pass = value !== null && compare(value, threshold.operator, limit);
  return { value, samples, pass, outcome: value === null ? 'no-data' : pass ? 'pass' : 'fail', limit };
}

function measuredValue(
  selector: MetricSelector,
  agg: Threshold['aggregation'],
  stats: RequestStats,
  durationMs: number,
): { value: number | null; samples: number } {
  const samples = stats.requests;
  const perSecond = (count: number) => (durationMs > 0 ? count / (durationMs / 1000) : null);
  switch (selector.metric) {
    case 'http_req_duration':
      return { value: trendValue(agg, stats), samples: stats.timed };
    case 'http_req_failed':
      return { value: samples === 0 ? null : stats.failures / samples, samples };
    case 'http_reqs':
      // k6's Counter: a count of nothing is a measured zero, and so is its rate.
      return { value: agg.kind === 'rate' ? perSecond(samples) : samples, samples };
    case 'dropped_iterations':
      // Zero dropped iterations is a measurement, not a missing one: the load was delivered.
      return {
        value: agg.kind === 'rate' ? perSecond(stats.dropped) : stats.dropped,
        samples: Math.max(samples, 1),
      };
    default:
      return { value: measureValues(selector, agg, stats, durationMs), samples };
  }
}

/** k6's Trend aggregations: percentiles interpolated, avg = sum / count, min and max exact. */
function trendValue(agg: Threshold['aggregation'], stats: RequestStats): number | null {
  switch (agg.kind) {
    case 'percentile':
      return stats.percentile(agg.percentile);
    case 'med':
      return stats.percentile(50);
    case 'min':
      return stats.percentile(0);
    case 'max':
      return stats.percentile(100);
    default:
      return stats.mean();
  }
}

/**
 * `checks` and a script's metrics, with k6's aggregations: Rate = share non-zero, Counter = sum,
 * Trend = percentiles.
 */
function measureValues(
  selector: MetricSelector,
  agg: Threshold['aggregation'],
  stats: RequestStats,
  durationMs: number,
): number | null {
  switch (selector.kind) {
    case 'rate':
      return stats.requests === 0 ? null : stats.failures / stats.requests;
    case 'counter':
      if (agg.kind !== 'rate') return stats.sum();
      return durationMs > 0 ? stats.sum() / (durationMs / 1000) : null;
    case 'trend':
      return trendValue(agg, stats);
    case 'timing':
      // Not a statistic of requests: judged after the run from the timings (run/judge/judge-timing.ts).
      return null;
  }
}
