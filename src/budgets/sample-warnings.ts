/**
 * `chaos plan`'s warning: a percentile or rate budget whose phase cannot collect the samples the
 * claim needs (judge-budget.ts, n·(1 − q/100) ≥ 10; rate-samples.ts, (1 − r)ⁿ < 0.05) will be
 * inconclusive, whatever the system does (a rate's clear breach aside).
 * Expected samples = rate × phase length per ingress: one per iteration (a script's iteration
 * may make more requests, so for a script this is a floor). Pure.
 */
import type { Budget } from './budget.js';
import { neededSamples } from './judge-budget.js';
import { neededRateSamples } from './rate-samples.js';

/** The samples a budget needs per phase × ingress, or undefined when no sample rule applies. */
function budgetNeeds(budget: Budget): number | undefined {
  const { selector, threshold } = budget;
  if (selector.kind === 'trend') return neededSamples(threshold.aggregation);
  // A relative rate's limit is known only once the baseline is measured.
  if (selector.kind === 'rate' && !threshold.relative) return neededRateSamples(threshold.operator, threshold.value);
  return undefined;
}

export function sampleWarnings(
  budgets: readonly Budget[],
  phases: ReadonlyArray<{ name: string; durationMs: number }>,
  ratePerSecond: number,
): string[] {
  const warnings: string[] = [];
  const baseline = phases[0]?.name;
  for (const budget of budgets) {
    const needed = budgetNeeds(budget);
    if (needed === undefined) continue;
    // A relative budget is also judged on the baseline's samples.
    const judgedIn = phases.filter(
      (phase) =>
        budget.phase === 'all' ||
        budget.phase === phase.name ||
        (budget.threshold.relative !== undefined && phase.name === baseline),
    );
    for (const phase of judgedIn) {
      const expected = Math.floor((ratePerSecond * phase.durationMs) / 1000);
      if (expected >= needed) continue;
      const seconds = Math.ceil(needed / ratePerSecond);
      const rate = Math.ceil((needed * 1000) / phase.durationMs);
      warnings.push(
        `${budget.phase}: ${budget.selector.source}: ${budget.threshold.source} needs ${needed} samples per ingress; ` +
          `phase ${phase.name} at ${ratePerSecond}/s for ${phase.durationMs / 1000}s gives about ${expected}, ` +
          `so it will be inconclusive (a phase of ${seconds}s, or a rate of ${rate}/s, would reach it)`,
      );
    }
  }
  return warnings;
}
