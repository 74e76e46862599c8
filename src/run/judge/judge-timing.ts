/**
 * `time_to_impact` and `time_to_recover` budgets, judged after the run from the timings per
 * ingress (timing.ts), as verdict rows like every other budget's. Pure. The rule
 * (docs/verdicts.md, "Budgets on time to impact and time to recover"):
 *
 * - measured: the value in ms (may be negative) compared with the limit;
 * - not impacted: the impact never came (time to impact = +∞: `>` passes, `<` fails) and there
 *   was nothing to recover from (time to recover = −∞: `<` passes, `>` fails);
 * - never recovered: time to recover = +∞ (`<` fails);
 * - not measured (no fault applied, no baseline): no data, which does not pass.
 */
import { compare, type MetricSelector, type Threshold } from '../../budgets/threshold.js';
import type { Measurement } from '../../budgets/evaluate.js';
import type { Verdict } from '../../budgets/ledger.js';
import type { Budget } from '../../budgets/budget.js';
import type { RunPlan } from '../plan/build-plan.js';
import type { IngressTiming, TimeTo } from './timing.js';

/** The phase a timing belongs to: impact to the first phase with faults, recovery to the last. */
function phaseOf(plan: RunPlan, budget: Budget): string {
  if (budget.phase !== 'all') return budget.phase;
  const faulted = plan.phases.filter((phase) => phase.faults.length > 0);
  const phase = budget.selector.metric === 'time_to_impact' ? faulted[0] : faulted.at(-1);
  return phase?.name ?? budget.phase;
}

export function judgeTimingBudgets(plan: RunPlan, timings: readonly IngressTiming[]): Verdict[] {
  return plan.scenario.budgets
    .filter((budget) => budget.selector.kind === 'timing')
    .flatMap((budget) => {
      const scope = budget.selector.tags.ingress ?? undefined;
      const ingresses = scope !== undefined ? [scope] : plan.load.map((load) => load.ingress);
      return ingresses.map((ingress) => {
        const timing = timings.find((entry) => entry.ingress === ingress);
        return {
          phase: phaseOf(plan, budget),
          ingress,
          budget: `${budget.selector.source}: ${budget.threshold.source}`,
          ...judgeTime(budget.selector, budget.threshold, timing),
        };
      });
    });
}

/** One ingress's time against one threshold. */
function judgeTime(selector: MetricSelector, threshold: Threshold, timing: IngressTiming | undefined): Measurement {
  const impact = selector.metric === 'time_to_impact';
  const time: TimeTo = !timing ? { kind: 'not-measured' } : impact ? timing.timeToImpact : timing.timeToRecover;
  const limit = threshold.value;
  if (time.kind === 'measured') {
    const pass = compare(time.ms, threshold.operator, limit);
    return { value: time.ms, samples: 1, pass, outcome: pass ? 'pass' : 'fail', limit };
  }
  if (time.kind === 'not-measured')
    return { value: null, samples: 0, pass: false, outcome: 'no-data', limit, timing: time.kind };
  // Not impacted: the impact never came (+∞), and recovery had nothing to wait for (−∞).
  const as = time.kind === 'not-impacted' && !impact ? -Infinity : Infinity;
  const pass = compare(as, threshold.operator, limit);
  return { value: null, samples: 0, pass, outcome: pass ? 'pass' : 'fail', limit, timing: time.kind };
}
