/**
 * Rates need samples too. `http_req_failed: rate<0.01` over 20 requests with none failed is no
 * claim: a service failing 1 % of its requests shows 0 of 20 two times in three, and the exact
 * one-sided 95 % upper bound of 0/20 is 13.9 %. So a rate budget has the percentiles' kind of
 * rule: the samples it needs before its best outcome can tell the rate from the limit,
 *
 *   `rate < r` (or `<=`): n with (1 − r)ⁿ < 0.05 — none of n failing is then unlikely at r;
 *   `rate > r` (or `>=`): n with rⁿ < 0.05 — all of n passing is then unlikely at r;
 *
 * (0.01 → 299; 0.99 → 299; 0.9 → 29), and a verdict over fewer is inconclusive, carrying
 * `needed`. A breach the samples there were already prove stays a failure: the exact one-sided
 * binomial test at the limit gives p < 0.05 (3 of 20 failing against `rate<0.01`: p = 0.001).
 * `==`, `!=`, and limits of 0 or 1 (where no count of samples decides) have no such rule. Pure.
 */
import type { Measurement } from './evaluate.js';
import type { Operator } from './threshold.js';
import { binomialTail } from './proportions.js';

/** The level of the rule: a one-sided 5 % chance of the outcome at the limit. */
const rateAlpha = 0.05;

/** The samples a rate budget needs (above), or undefined when the rule does not apply. */
export function neededRateSamples(operator: Operator, limit: number): number | undefined {
  if (!(limit > 0 && limit < 1)) return undefined;
  const below = operator === '<' || operator === '<=';
  const above = operator === '>' || operator === '>=';
  if (!below && !above) return undefined;
  // The smallest n with q^n < α, q the chance of the best outcome per sample at the limit.
  const q = below ? 1 - limit : limit;
  let n = Math.max(1, Math.floor(Math.log(rateAlpha) / Math.log(q)));
  while (q ** n >= rateAlpha) n += 1;
  while (n > 1 && q ** (n - 1) < rateAlpha) n -= 1;
  return n;
}

/** Does a breach on `samples` values with `nonZero` of them non-zero already prove the rate beyond the limit? */
function breachIsClear(operator: Operator, limit: number, samples: number, nonZero: number): boolean {
  const below = operator === '<' || operator === '<=';
  const p = below ? binomialTail(nonZero, samples, limit, 'upper') : binomialTail(nonZero, samples, limit, 'lower');
  return p < rateAlpha;
}

/** A rate verdict with the rule applied: inconclusive below `needed`, except a clear breach. */
export function withRateSamples(
  measurement: Measurement,
  operator: Operator,
  limit: number,
  nonZero: number,
): Measurement {
  const needed = neededRateSamples(operator, limit);
  if (needed === undefined || measurement.value === null || measurement.samples >= needed) return measurement;
  if (measurement.outcome === 'fail' && breachIsClear(operator, limit, measurement.samples, nonZero))
    return measurement;
  return { ...measurement, pass: false, outcome: 'inconclusive', needed };
}
