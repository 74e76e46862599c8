/**
 * A negative control (`expect: fail`) passes only when it proves the harness sees an outage:
 * the baseline held, every ingress got its load in every phase, and a budget of a phase with
 * faults (or one the scenario names) was breached on measured data (a value, or a recovery
 * watched to the end that never came). Anything else proves
 * nothing: the run is invalid, never a pass. Pure.
 */
import { ExitCode, type ExitCodeValue } from '../../errors/exit-codes.js';
import type { Verdict } from '../../budgets/ledger.js';
import { describeDelivery, type Delivery } from '../../budgets/delivery.js';
import type { RunPlan } from '../plan/build-plan.js';

export interface ControlOutcome {
  status: 'passed' | 'invalid';
  reason: string;
  exitCode: ExitCodeValue;
}

const invalid = (why: string): ControlOutcome => ({
  status: 'invalid',
  reason: `negative control INVALID: ${why}; it proves nothing`,
  exitCode: ExitCode.invalid,
});

export function judgeNegativeControl(
  plan: RunPlan,
  verdicts: readonly Verdict[],
  delivery: readonly Delivery[],
  aborted: string | undefined,
): ControlOutcome {
  const faultPhases = new Set(plan.phases.filter((phase) => phase.faults.length > 0).map((phase) => phase.name));
  const before = plan.phases.slice(
    0,
    Math.max(
      0,
      plan.phases.findIndex((phase) => faultPhases.has(phase.name)),
    ),
  );
  const baselineNames = new Set(before.map((phase) => phase.name));
  const brokenBaseline = verdicts.filter((v) => baselineNames.has(v.phase) && v.outcome !== 'pass');
  if (brokenBaseline.length > 0)
    return invalid(
      `the baseline did not hold before any fault (${brokenBaseline.map((v) => `${v.phase}/${v.ingress} ${v.budget}: ${v.outcome}`).join('; ')})`,
    );
  const unloaded = loadProblems(plan, delivery);
  if (unloaded.length > 0) return invalid(`not every ingress got its load (${unloaded.join('; ')})`);
  const named = plan.scenario.expectFail;
  const breached = verdicts.filter(
    (v) =>
      v.outcome === 'fail' &&
      measured(v) &&
      (named.length > 0
        ? named.some((name) => `${v.phase}: ${v.budget}`.startsWith(`${name}: `))
        : faultPhases.has(v.phase)),
  );
  if (breached.length > 0) {
    const first = breached[0]!;
    return {
      status: 'passed',
      reason: `negative control passed: the harness saw the breach (${first.phase}/${first.ingress} ${first.budget}: ${first.value})`,
      exitCode: ExitCode.passed,
    };
  }
  if (aborted && named.length === 0)
    return { status: 'passed', reason: `negative control passed: ${aborted}`, exitCode: ExitCode.passed };
  const what = named.length > 0 ? `none of ${named.join(', ')}` : 'no budget of a phase with faults';
  return invalid(`${what} was breached with measured data, so the harness did not show it notices the outage`);
}

/**
 * A breach seen in data: a value, or a time to recover that never came though the recovery was
 * watched to the end (an outage the harness saw). "Not impacted" is no such thing: it says the
 * harness saw no outage, so a budget failed by it proves nothing about noticing one.
 */
function measured(verdict: Verdict): boolean {
  return verdict.value !== null || verdict.timing === 'never-recovered';
}

/** Every planned ingress sent requests in every phase, and no phase was under-delivered. */
function loadProblems(plan: RunPlan, delivery: readonly Delivery[]): string[] {
  const problems = delivery
    .filter((d) => d.outcome === 'under-delivered' || d.sent === 0)
    .map((d) => `${d.phase}/${d.ingress}: ${describeDelivery(d)}`);
  for (const { ingress } of plan.load)
    if (!delivery.some((d) => d.ingress === ingress && d.sent > 0)) problems.push(`${ingress}: no requests at all`);
  return problems;
}
