/** Judge one budget on one set of statistics. Pure. */
import type { LoadSample } from './sample.js';
import type { RequestStats } from './stats.js';
import { compare, type MetricSelector, type Threshold } from './threshold.js';

type RequestSample = Extract<LoadSample, { kind: 'request' }>;

export interface Measurement {
  /** The measured value, or null when there were no samples (which is a failure). */
  value: number | null;
  pass: boolean;
  samples: number;
}

/** Does a request count for this selector? `ingress` is the scope of judgement, handled by the caller. */
export function matchesTags(selector: MetricSelector, sample: RequestSample, method: string): boolean {
  const { tags } = selector;
  if (tags.served_by !== undefined && tags.served_by !== sample.servedBy) return false;
  if (tags.status !== undefined && tags.status !== String(sample.status)) return false;
  if (tags.path !== undefined && tags.path !== sample.path) return false;
  if (tags.method !== undefined && tags.method.toUpperCase() !== method.toUpperCase()) return false;
  return true;
}

/** A key that is equal for selectors that select the same requests (ingress aside). */
export function filterKey(selector: MetricSelector): string {
  const { ingress: _ingress, ...rest } = selector.tags;
  return Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
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
  }
  return { value, samples, pass: value !== null && compare(value, threshold.operator, threshold.value) };
}
