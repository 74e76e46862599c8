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
export type VerdictOutcome = 'pass' | 'fail' | 'no-data' | 'inconclusive';

export interface Measurement {
  /** The measured value, or null when there were no samples (which is a failure). */
  value: number | null;
  pass: boolean;
  outcome: VerdictOutcome;
  samples: number;
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

export function measure(
  selector: MetricSelector,
  threshold: Threshold,
  stats: RequestStats,
  durationMs: number,
): Measurement {
  const agg = threshold.aggregation;
  let value: number | null;
  let samples = stats.requests;
  switch (selector.metric) {
    case 'http_req_duration':
      samples = stats.timed;
      value =
        agg.kind === 'percentile'
          ? stats.percentile(agg.percentile)
          : agg.kind === 'med'
            ? stats.percentile(50)
            : agg.kind === 'min'
              ? stats.percentile(0)
              : agg.kind === 'max'
                ? stats.percentile(100)
                : stats.mean();
      break;
    case 'http_req_failed':
      value = stats.requests === 0 ? null : stats.failures / stats.requests;
      break;
    case 'http_reqs':
      value = stats.requests === 0 ? null : agg.kind === 'rate' ? stats.requests / (durationMs / 1000) : stats.requests;
      break;
    case 'dropped_iterations':
      // Zero dropped iterations is a measurement, not a missing one: the load was delivered.
      samples = Math.max(samples, 1);
      value = agg.kind === 'rate' ? stats.dropped / (durationMs / 1000) : stats.dropped;
      break;
    default:
      value = measureValues(selector, agg, stats, durationMs);
  }
  const pass = value !== null && compare(value, threshold.operator, threshold.value);
  return { value, samples, pass, outcome: value === null ? 'no-data' : pass ? 'pass' : 'fail' };
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
  if (stats.requests === 0) return selector.kind === 'counter' && agg.kind === 'count' ? 0 : null;
  switch (selector.kind) {
    case 'rate':
      return stats.failures / stats.requests;
    case 'counter':
      return agg.kind === 'rate' ? stats.sum() / (durationMs / 1000) : stats.sum();
    case 'trend':
      if (agg.kind === 'percentile') return stats.percentile(agg.percentile);
      if (agg.kind === 'med') return stats.percentile(50);
      if (agg.kind === 'min') return stats.percentile(0);
      if (agg.kind === 'max') return stats.percentile(100);
      return stats.mean();
  }
}
