/**
 * A percentile bootstrap of the shift in percentiles between two samples, in O(m) a resample:
 * both sides are sorted, so a resample (m indices drawn with replacement) is counted per index,
 * and its order statistics are read off the cumulative counts without sorting. Each side is
 * first subsampled to at most `cap` values (an evenly spaced subset of its order statistics,
 * which keeps its shape); with fewer values than the phase had the interval is wider, never
 * narrower, than the full sample's. The generator is seeded: the same samples give the same interval.
 */
import { seededRandom } from '../system/random.js';

export { seededRandom };

/** At most `cap` of the sorted values, evenly spaced over their ranks (first and last kept). */
function thin(sorted: ArrayLike<number>, cap: number): Float64Array {
  const n = sorted.length;
  if (n <= cap) return Float64Array.from(sorted as ArrayLike<number>);
  const out = new Float64Array(cap);
  for (let k = 0; k < cap; k += 1) out[k] = sorted[Math.round((k * (n - 1)) / (cap - 1))]!;
  return out;
}

/** k6's percentiles of one resample of `sorted`, from per-index draw counts. */
function resamplePercentiles(sorted: Float64Array, counts: Uint32Array, qs: readonly number[], random: () => number) {
  const m = sorted.length;
  counts.fill(0);
  for (let k = 0; k < m; k += 1) counts[Math.floor(random() * m)]! += 1;
  // The ranks each percentile interpolates between, in ascending order of rank.
  const wanted = qs.flatMap((q) => {
    const index = ((m - 1) * q) / 100;
    return [Math.floor(index), Math.ceil(index)];
  });
  const order = wanted.map((rank, at) => ({ rank, at })).sort((x, y) => x.rank - y.rank);
  const found = new Float64Array(wanted.length);
  let cumulative = 0;
  let next = 0;
  for (let idx = 0; idx < m && next < order.length; idx += 1) {
    cumulative += counts[idx]!;
    while (next < order.length && order[next]!.rank < cumulative) found[order[next++]!.at] = sorted[idx]!;
  }
  return qs.map((q, i) => {
    const index = ((m - 1) * q) / 100;
    return found[2 * i]! + (found[2 * i + 1]! - found[2 * i]!) * (index - Math.floor(index));
  });
}

/** For each q: `resamples` bootstrap values of percentile(other) − percentile(base). */
export function bootstrapShifts(
  base: ArrayLike<number>,
  other: ArrayLike<number>,
  qs: readonly number[],
  options: { resamples: number; cap: number; seed: number },
): Float64Array[] {
  const a = thin(base, options.cap);
  const b = thin(other, options.cap);
  const countsA = new Uint32Array(a.length);
  const countsB = new Uint32Array(b.length);
  const random = seededRandom(options.seed);
  const shifts = qs.map(() => new Float64Array(options.resamples));
  for (let r = 0; r < options.resamples; r += 1) {
    const pa = resamplePercentiles(a, countsA, qs, random);
    const pb = resamplePercentiles(b, countsB, qs, random);
    qs.forEach((_, i) => (shifts[i]![r] = pb[i]! - pa[i]!));
  }
  return shifts;
}
