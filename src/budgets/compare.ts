/**
 * A confidence you can state: each later phase of an ingress compared with its baseline (the
 * first phase). Latency: Mann-Whitney U (normal approximation, tie and continuity corrected) and
 * the shift in p50 and p95 with a bootstrap 95 % interval; errors: a two-proportion z-test and
 * the difference in rate with a 95 % (Wald) interval. Pure and reproducible: the bootstrap's
 * random numbers come from a seeded generator. Rules and their limits: docs/verdicts.md.
 *
 * The claim. P-values alone over-claim: requests and even windows of one phase share the
 * machine's drift, and an unchanged system measured in two phases differs by more than they
 * allow (the A/A benchmark, bench/RESULTS.md: 26–36 % of rank tests at p < 0.05 with no fault).
 * So a comparison *claims a difference* only when it is both clear and larger than that drift:
 * - latency: the per-window rank test gives p < 0.05 (windows as units; fewer than 3 windows a
 *   side claim nothing) and p50 or p95 moved by at least its tolerance, max(25 % of the
 *   baseline's value, 5 ms);
 * - errors: the z-test gives p < 0.05 and the rate moved by at least max(25 % of the baseline's
 *   rate, 0.5 percentage points).
 * The tolerances are what the A/A benchmark needed to stay at or under the nominal 5 %.
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

interface Shift {
  baseline: number;
  value: number;
  /** value − baseline (ms), with its bootstrap 95 % interval. */
  shift: number;
  low: number;
  high: number;
}

/** A shift smaller than this is within what an unchanged system drifts between phases. */
const tolerance = { relative: 0.25, latencyFloorMs: 5, errorFloor: 0.005 } as const;

const claimP = 0.05;

/** The tolerance of a shift from `baseline` (ms or a rate): a quarter of it, at least the floor. */
function toleranceOf(baseline: number, floor: number): number {
  return Math.max(tolerance.relative * Math.abs(baseline), floor);
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
  /** The claim: the window test's p < 0.05 and p50 or p95 moved by at least its tolerance. */
  differs: boolean;
  /** The tolerances of the p50 and p95 shifts (ms). */
  tolerance: { p50: number; p95: number };
}

export interface ErrorComparison {
  baselineRate: number;
  rate: number;
  /** rate − baselineRate, with its 95 % interval. */
  difference: number;
  low: number;
  high: number;
  pValue: number;
  /** The claim: p < 0.05 and the rate moved by at least `tolerance`. */
  differs: boolean;
  tolerance: number;
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
  const allowed = toleranceOf(p1, tolerance.errorFloor);
  return {
    baselineRate: p1,
    rate: p2,
    difference,
    low: difference - half,
    high: difference + half,
    pValue,
    differs: pValue < claimP && Math.abs(difference) >= allowed,
    tolerance: allowed,
  };
}

/**
 * The rank test and the p50/p95 shifts with their bootstrap intervals, and the claim from the
 * windows' medians (`windows`, per side; without them, or with fewer than 3 a side, no claim);
 * null when a side has no values.
 */
export function compareLatency(
  base: ArrayLike<number>,
  other: ArrayLike<number>,
  options: ComparisonOptions = {},
  windows?: { base: readonly number[]; other: readonly number[] },
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
  const p50 = shift(50, 0);
  const p95 = shift(95, 1);
  const windowPValue = windows ? windowRankTest(windows.base, windows.other) : null;
  const allowed = {
    p50: toleranceOf(p50.baseline, tolerance.latencyFloorMs),
    p95: toleranceOf(p95.baseline, tolerance.latencyFloorMs),
  };
  const moved = Math.abs(p50.shift) >= allowed.p50 || Math.abs(p95.shift) >= allowed.p95;
  return {
    pValue: rankTest(base, other),
    windowPValue,
    p50,
    p95,
    differs: windowPValue !== null && windowPValue < claimP && moved,
    tolerance: allowed,
  };
}

/** The rank test on per-window medians (windows with requests only); null with fewer than 3 a side. */
export function windowRankTest(base: readonly number[], other: readonly number[]): number | null {
  if (base.length < 3 || other.length < 3) return null;
  const ascending = (values: readonly number[]) => Float64Array.from(values).sort();
  return rankTest(ascending(base), ascending(other));
}

/** One side of a comparison with its windows' medians (the claim's units). */
export interface PhaseSampleWithWindows extends PhaseSample {
  windowMedians: readonly number[];
}

export function comparePhase(
  base: PhaseSampleWithWindows,
  other: PhaseSampleWithWindows,
  options?: ComparisonOptions,
): { latency: LatencyComparison | null; errors: ErrorComparison | null } {
  const windows = { base: base.windowMedians, other: other.windowMedians };
  return { latency: compareLatency(base.sorted, other.sorted, options, windows), errors: compareRates(base, other) };
}
