/**
 * Request statistics with k6's meaning: exact counts, and every value kept (a growable
 * Float64Array, 8 bytes a sample) so percentiles are k6's Trend percentiles exactly — sort, then
 * linearly interpolate between the closest ranks (k6 `metrics/sink.go`, TrendSink.P). Memory: 8
 * bytes per request per statistic (phase × ingress × distinct tag filter); a window frees its
 * values when it closes, so only phases grow with the run (100 requests/s for one hour = 2.9 MB a
 * statistic). See docs/verdicts.md.
 */
import type { LoadSample } from './sample.js';

type RequestSample = Extract<LoadSample, { kind: 'request' }>;

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'error';

function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'error';
}

export interface StatsSummary {
  requests: number;
  failures: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  min: number | null;
  avg: number | null;
  statusClasses: Partial<Record<StatusClass, number>>;
  servedBy: Record<string, number>;
  dropped: number;
}

/**
 * k6's percentile of sorted values: index (n − 1)·q/100, linear interpolation between the values
 * at its floor and ceiling. null for no values (k6 says 0; we never judge nothing as a number).
 */
export function k6Percentile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (q <= 0) return sorted[0]!;
  if (q >= 100) return sorted[n - 1]!;
  const index = ((n - 1) * q) / 100;
  const low = Math.floor(index);
  const high = Math.ceil(index);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (index - low);
}

/** Values appended one by one, sorted on demand (once per batch of additions). */
class ValueList {
  private buffer = new Float64Array(64);
  private size = 0;
  private sorted = true;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    if (this.size > 0 && value < this.buffer[this.size - 1]!) this.sorted = false;
    this.buffer[this.size] = value;
    this.size += 1;
  }

  /** The values in ascending order (a view: valid until the next push). */
  sortedValues(): Float64Array {
    const view = this.buffer.subarray(0, this.size);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }

  clear(): void {
    this.buffer = new Float64Array(0);
    this.size = 0;
    this.sorted = true;
  }
}

export class RequestStats {
  requests = 0;
  failures = 0;
  /** Values in the latency statistics: requests that reached a server (or every one a budget asks for). */
  timed = 0;
  dropped = 0;
  private sumMs = 0;
  private readonly values = new ValueList();
  readonly statusClasses: Partial<Record<StatusClass, number>> = {};
  readonly servedBy: Record<string, number> = {};

  /**
   * Counts the request; its duration enters the latency statistics only when `timed` (by
   * default, when it reached a server: a refused connection's 0 ms is not a latency).
   */
  add(sample: RequestSample, timed = sample.reached): void {
    this.requests += 1;
    if (sample.failed) this.failures += 1;
    const cls = statusClass(sample.status);
    this.statusClasses[cls] = (this.statusClasses[cls] ?? 0) + 1;
    this.servedBy[sample.servedBy] = (this.servedBy[sample.servedBy] ?? 0) + 1;
    if (!timed) return;
    this.timed += 1;
    this.sumMs += sample.durationMs;
    this.values.push(sample.durationMs);
  }

  /**
   * A value of a check or a script's metric: `requests` counts values, `failures` the non-zero
   * ones (k6's Rate), the sum is a Counter's count and the values a Trend's percentiles.
   */
  addValue(value: number): void {
    this.requests += 1;
    this.timed += 1;
    if (value !== 0) this.failures += 1;
    this.sumMs += value;
    this.values.push(value);
  }

  sum(): number {
    return this.sumMs;
  }

  addDropped(count: number): void {
    this.dropped += count;
  }

  /** k6's percentile in ms (exact: p(0) is the minimum, p(100) the maximum); null without values. */
  percentile(p: number): number | null {
    return k6Percentile(this.values.sortedValues(), p);
  }

  /** The values in ascending order, for comparisons (a view: do not keep it past the next add). */
  sortedValues(): Float64Array {
    return this.values.sortedValues();
  }

  mean(): number | null {
    return this.timed === 0 ? null : this.sumMs / this.timed;
  }

  summary(): StatsSummary {
    const has = this.requests > 0;
    return {
      requests: this.requests,
      failures: this.failures,
      errorRate: has ? this.failures / this.requests : null,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.percentile(100),
      min: this.percentile(0),
      avg: this.mean(),
      statusClasses: { ...this.statusClasses },
      servedBy: { ...this.servedBy },
      dropped: this.dropped,
    };
  }

  /** Free the values once the numbers are taken. */
  destroy(): void {
    this.values.clear();
  }
}
