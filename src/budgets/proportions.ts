/**
 * Two error rates compared so the numbers hold at zero and on few requests: Fisher's exact test
 * (two-sided, the sum of every table at most as probable as the observed one, margins fixed)
 * and the difference's Newcombe interval (the hybrid of two Wilson score intervals, his method
 * 10). A z-test and a Wald interval say p = 1 and [0, 0] for 0 of 420 against 0 of 840, and
 * their p and interval disagree on small counts; these do not. Pure. docs/verdicts.md.
 */
import { gammaln } from 'simple-statistics';

/** z of a two-sided 95 % interval. */
const z95 = 1.959963984540054;

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

/**
 * Fisher's exact test of a failures out of n against b out of m, two-sided: the probability of
 * every table with the same margins at most as probable as the observed one (a relative slack
 * of 1e-7 counts equal probabilities as equal, as R's fisher.test does). 1 when nothing failed
 * (or everything did) on both sides.
 */
export function fisherExact(a: number, n: number, b: number, m: number): number {
  const failures = a + b;
  const total = n + m;
  const low = Math.max(0, failures - m);
  const high = Math.min(failures, n);
  if (low === high) return 1;
  const denominator = logChoose(total, failures);
  const logP = (k: number) => logChoose(n, k) + logChoose(m, failures - k) - denominator;
  const observed = logP(a);
  const cut = observed + Math.log1p(1e-7);
  let p = 0;
  for (let k = low; k <= high; k += 1) {
    const lp = logP(k);
    if (lp <= cut) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** The Wilson score interval of k out of n (95 % unless told); [0, 1] for no trials. */
export function wilsonInterval(k: number, n: number, z = z95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const scale = 1 + z2 / n;
  return { low: Math.max(0, (centre - half) / scale), high: Math.min(1, (centre + half) / scale) };
}

/**
 * Newcombe's hybrid score interval of (b/m − a/n): from the Wilson intervals of each side,
 * low = d − √((p₂ − l₂)² + (u₁ − p₁)²), high = d + √((u₂ − p₂)² + (p₁ − l₁)²).
 */
export function newcombeInterval(a: number, n: number, b: number, m: number): { low: number; high: number } {
  const p1 = a / n;
  const p2 = b / m;
  const one = wilsonInterval(a, n);
  const two = wilsonInterval(b, m);
  const d = p2 - p1;
  return {
    low: d - Math.sqrt((p2 - two.low) ** 2 + (one.high - p1) ** 2),
    high: d + Math.sqrt((two.high - p2) ** 2 + (p1 - one.low) ** 2),
  };
}

/** ln of the binomial probability of k successes in n trials at rate r (0 < r < 1). */
function logBinomial(k: number, n: number, r: number): number {
  return logChoose(n, k) + k * Math.log(r) + (n - k) * Math.log1p(-r);
}

/**
 * The exact binomial tail at rate r: P(X ≥ k) ('upper') or P(X ≤ k) ('lower') of n trials,
 * summed term by term from k outwards (the terms fall off fast past the mean).
 */
export function binomialTail(k: number, n: number, r: number, side: 'upper' | 'lower'): number {
  if (side === 'upper' ? k <= 0 : k >= n) return 1;
  if (r <= 0) return side === 'upper' ? 0 : 1;
  if (r >= 1) return side === 'upper' ? 1 : 0;
  let p = 0;
  for (let i = k; side === 'upper' ? i <= n : i >= 0; i += side === 'upper' ? 1 : -1) {
    const term = Math.exp(logBinomial(i, n, r));
    p += term;
    if (term < p * 1e-17 && (side === 'upper' ? i > n * r : i < n * r)) break;
  }
  return Math.min(1, p);
}
