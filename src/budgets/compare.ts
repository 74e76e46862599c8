/**
 * A confidence you can state: each later phase of an ingress compared with its baseline (the
 * first phase). Latency: Mann-Whitney U (normal approximation, tie and continuity corrected) and
 * the shift in p50 and p95 with a bootstrap 95 % interval; errors: a two-proportion z-test and
 * the difference in rate with a 95 % (Wald) interval. Pure and reproducible: the bootstrap's
 * random numbers come from a seeded generator. Rules and their limits: docs/verdicts.md.
 */
import { errorFunction } from 'simple-statistics';
import { bootstrapShifts } from './bootstrap.js';
import { k6Percentile } from './stats.js';

/** One side of a comparison: its latencies in ascending order, and its request and failure counts. */
export interface PhaseSample {
  sorted: ArrayLike<number>;
  requests: number;
  failures: number;
}

export interface Shift {
  baseline: number;
  value: number;
  /** value − baseline (ms), with its bootstrap 95 % interval. */
  shift: number;
  low: number;
  high: number;
}

export interface LatencyComparison {
  /** Two-sided p-value of the rank test: how often equal distributions would differ this much. */
  pValue: number;
  /**
   * The same test with windows as the units (each window's median): requests within a second
   * share the machine's state, windows far less; null with fewer than 3 windows on a side.
   */
  windowPValue: number | null;
  p50: Shift;
  p95: Shift;
}

export interface ErrorComparison {
  baselineRate: number;
  rate: number;
  /** rate − baselineRate, with its 95 % interval. */
  difference: number;
  low: number;
  high: number;
  pValue: number;
}

export interface ComparisonOptions {
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** Each side is subsampled to at most this many values for the bootstrap (default 10000). */
  cap?: number;
  seed?: number;
}

/** The standard normal's upper tail, 1 − Φ(z), for z ≥ 0. */
function upperTail(z: number): number {
  return Math.max(0, 0.5 * (1 - errorFunction(z / Math.SQRT2)));
}

/** Mann-Whitney U of two sorted samples; two-sided p-value, normal approximation with tie correction. */
export function rankTest(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  let rankSumA = 0;
  let ties = 0;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    // The next tie group: every value equal to the smallest remaining one, on both sides.
    const value = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const startRank = i + j + 1;
    const fromA = i;
    while (i < n1 && a[i] === value) i += 1;
    const inA = i - fromA;
    while (j < n2 && b[j] === value) j += 1;
    const size = i + j + 1 - startRank;
    rankSumA += inA * (startRank + (size - 1) / 2);
    ties += size ** 3 - size;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return 1;
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * upperTail(z));
}

/** Two-proportion z-test (pooled) and the difference's Wald 95 % interval. */
export function compareRates(base: PhaseSample, other: PhaseSample): ErrorComparison | null {
  if (base.requests === 0 || other.requests === 0) return null;
  const p1 = base.failures / base.requests;
  const p2 = other.failures / other.requests;
  const pooled = (base.failures + other.failures) / (base.requests + other.requests);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / base.requests + 1 / other.requests));
  const pValue = se > 0 ? Math.min(1, 2 * upperTail(Math.abs(p2 - p1) / se)) : 1;
  const half = 1.96 * Math.sqrt((p1 * (1 - p1)) / base.requests + (p2 * (1 - p2)) / other.requests);
  const difference = p2 - p1;
  return { baselineRate: p1, rate: p2, difference, low: difference - half, high: difference + half, pValue };
}

/** The rank test and the p50/p95 shifts with their bootstrap intervals; null when a side has no values. */
export function compareLatency(
  base: ArrayLike<number>,
  other: ArrayLike<number>,
  options: ComparisonOptions = {},
): LatencyComparison | null {
  if (base.length === 0 || other.length === 0) return null;
  const shifts = bootstrapShifts(base, other, [50, 95], {
    resamples: options.resamples ?? 1000,
    cap: options.cap ?? 10_000,
    seed: options.seed ?? 1,
  });
  const shift = (q: number, index: number): Shift => {
    const baseline = k6Percentile(base, q)!;
    const value = k6Percentile(other, q)!;
    const sorted = shifts[index]!.sort();
    return {
      baseline,
      value,
      shift: value - baseline,
      low: k6Percentile(sorted, 2.5)!,
      high: k6Percentile(sorted, 97.5)!,
    };
  };
  return { pValue: rankTest(base, other), windowPValue: null, p50: shift(50, 0), p95: shift(95, 1) };
}

/** The rank test on per-window medians (windows with requests only); null with fewer than 3 a side. */
export function windowRankTest(base: readonly number[], other: readonly number[]): number | null {
  if (base.length < 3 || other.length < 3) return null;
  const ascending = (values: readonly number[]) => Float64Array.from(values).sort();
  return rankTest(ascending(base), ascending(other));
}

export function comparePhase(
  base: PhaseSample,
  other: PhaseSample,
  options?: ComparisonOptions,
): { latency: LatencyComparison | null; errors: ErrorComparison | null } {
  return { latency: compareLatency(base.sorted, other.sorted, options), errors: compareRates(base, other) };
}
