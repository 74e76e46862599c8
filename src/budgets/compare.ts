/**
 * A confidence you can state: each later phase of an ingress compared with its baseline (the
 * first phase). Latency: Mann-Whitney U (normal approximation, tie and continuity corrected) and
 * the shift in p50 and p95 with a bootstrap 95 % interval; errors: Fisher's exact test and the
 * difference in rate with a Newcombe (hybrid Wilson score) 95 % interval (proportions.ts). Pure
 * and reproducible: the bootstrap's random numbers come from a seeded generator. Rules and their
 * limits: docs/verdicts.md.
 *
 * The claim. P-values alone over-claim: requests and even windows of one phase share the
 * machine's drift, and an unchanged system measured in two phases differs by more than they
 * allow (the A/A benchmark, bench/RESULTS.md: 26–36 % of rank tests at p < 0.05 with no fault).
 * So a comparison *claims a difference* only when it is both clear and larger than that drift:
 * - latency: for p50 or for p95, the rank test of that statistic per window (each window's
 *   median, each window's p95: windows as units; fewer than 3 windows a side claim nothing)
 *   gives p < 0.05 and the phase's value moved by at least its tolerance, max(25 % of the
 *   baseline's value, 5 ms): the test is of the statistic whose shift is claimed;
 * - errors: Fisher's exact test gives p < 0.05 and the rate moved by at least max(25 % of the
 *   baseline's rate, 0.5 percentage points).
 * The tolerances are what the A/A benchmark needed to stay at or under the nominal 5 %; a
 * scenario or environment sets its own (`compare.tolerance`) for a noisier target.
 */
import { errorFunction } from 'simple-statistics';
import { bootstrapShifts } from './bootstrap.js';
import { k6Percentile } from './stats.js';
import { fisherExact, newcombeInterval } from './proportions.js';

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

/** How far an unchanged system drifts between phases: a shift within it claims nothing. */
export interface Tolerance {
  /** A share of the baseline's value (0.25: 25 %). */
  relative: number;
  /** The least latency shift (ms) that can be claimed. */
  latencyFloorMs: number;
  /** The least error-rate shift (a rate: 0.005 is half a percentage point). */
  errorFloor: number;
}

/** The calibrated default (bench/RESULTS.md, A/A on a quiet machine). */
export const tolerance: Tolerance = { relative: 0.25, latencyFloorMs: 5, errorFloor: 0.005 };

const claimP = 0.05;

/** The tolerance a run uses: the scenario's fields, else the environment's, else the default. */
export function toleranceFor(...given: Array<Partial<Tolerance> | undefined>): Tolerance {
  return Object.assign({}, tolerance, ...[...given].reverse().filter(Boolean)) as Tolerance;
}

/** The tolerance of a shift from `baseline` (ms or a rate): a share of it, at least the floor. */
function toleranceOf(baseline: number, floor: number, relative = tolerance.relative): number {
  return Math.max(relative * Math.abs(baseline), floor);
}

export interface LatencyComparison {
  /**
   * Two-sided p-value of the rank test over requests: how often equal distributions would differ
   * this much. Not calibrated (requests of one phase are not independent): reported, never claimed.
   */
  pValue: number;
  /**
   * The same test with windows as the units (each window's median): requests within a second
   * share the machine's state, windows far less; null with fewer than 3 windows on a side.
   */
  windowPValue: number | null;
  /** The rank test of each window's p95: the test behind a p95 claim; null as above. */
  windowP95PValue: number | null;
  p50: Shift;
  p95: Shift;
  /** The claim: for p50 or p95, its window test's p < 0.05 and its shift at least its tolerance. */
  differs: boolean;
  /** Which statistics carry the claim (empty when none does). */
  differsBy: Array<'p50' | 'p95'>;
  /** The tolerances of the p50 and p95 shifts (ms). */
  tolerance: { p50: number; p95: number };
}

export interface ErrorComparison {
  baselineRate: number;
  rate: number;
  /** rate − baselineRate, with its Newcombe 95 % interval. */
  difference: number;
  low: number;
  high: number;
  /** Fisher's exact test, two-sided. */
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
  /** The drift allowed before a difference is claimed (default: `tolerance`). */
  tolerance?: Tolerance;
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

/** Fisher's exact test and the difference's Newcombe 95 % interval; null when a side has no requests. */
export function compareRates(
  base: PhaseSample,
  other: PhaseSample,
  allowedDrift: Tolerance = tolerance,
): ErrorComparison | null {
  if (base.requests === 0 || other.requests === 0) return null;
  const p1 = base.failures / base.requests;
  const p2 = other.failures / other.requests;
  const pValue = fisherExact(base.failures, base.requests, other.failures, other.requests);
  const { low, high } = newcombeInterval(base.failures, base.requests, other.failures, other.requests);
  const difference = p2 - p1;
  const allowed = toleranceOf(p1, allowedDrift.errorFloor, allowedDrift.relative);
  return {
    baselineRate: p1,
    rate: p2,
    difference,
    low,
    high,
    pValue,
    differs: pValue < claimP && Math.abs(difference) >= allowed,
    tolerance: allowed,
  };
}

/** Each window's median and p95 on one side (windows with timed requests only): the claim's units. */
export interface WindowStatistics {
  p50: readonly number[];
  p95: readonly number[];
}

/**
 * The rank test and the p50/p95 shifts with their bootstrap intervals, and the claim from the
 * windows' own medians and p95s (`windows`, per side; without them, or with fewer than 3 a side,
 * no claim); null when a side has no values.
 */
export function compareLatency(
  base: ArrayLike<number>,
  other: ArrayLike<number>,
  options: ComparisonOptions = {},
  windows?: { base: WindowStatistics; other: WindowStatistics },
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
  const windowPValue = windows ? windowRankTest(windows.base.p50, windows.other.p50) : null;
  const windowP95PValue = windows ? windowRankTest(windows.base.p95, windows.other.p95) : null;
  const drift = options.tolerance ?? tolerance;
  const allowed = {
    p50: toleranceOf(p50.baseline, drift.latencyFloorMs, drift.relative),
    p95: toleranceOf(p95.baseline, drift.latencyFloorMs, drift.relative),
  };
  const clear = (p: number | null, moved: Shift, within: number) =>
    p !== null && p < claimP && Math.abs(moved.shift) >= within;
  const differsBy = [
    ...(clear(windowPValue, p50, allowed.p50) ? (['p50'] as const) : []),
    ...(clear(windowP95PValue, p95, allowed.p95) ? (['p95'] as const) : []),
  ];
  return {
    pValue: rankTest(base, other),
    windowPValue,
    windowP95PValue,
    p50,
    p95,
    differs: differsBy.length > 0,
    differsBy,
    tolerance: allowed,
  };
}

/** The rank test on per-window values (windows with requests only); null with fewer than 3 a side. */
export function windowRankTest(base: readonly number[], other: readonly number[]): number | null {
  if (base.length < 3 || other.length < 3) return null;
  const ascending = (values: readonly number[]) => Float64Array.from(values).sort();
  return rankTest(ascending(base), ascending(other));
}

/** One side of a comparison with its windows' medians and p95s (the claim's units). */
export interface PhaseSampleWithWindows extends PhaseSample {
  windows: WindowStatistics;
}

export function comparePhase(
  base: PhaseSampleWithWindows,
  other: PhaseSampleWithWindows,
  options: ComparisonOptions = {},
): { latency: LatencyComparison | null; errors: ErrorComparison | null } {
  const windows = { base: base.windows, other: other.windows };
  return {
    latency: compareLatency(base.sorted, other.sorted, options, windows),
    errors: compareRates(base, other, options.tolerance),
  };
}
