/**
 * A negative control (`expect: fail`) passes only when it proves the harness sees an outage:
 * the baseline was judged and held, every ingress got its load in every phase, and a budget of a
 * phase with faults (or one the scenario names) was breached on measured data (a value, or a
 * recovery watched to the end that never came) — or an abort limit tripped while a fault was in
 * effect. Anything else proves nothing: the run is invalid, never a pass. Pure.
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

/** An abort limit's breach: its reason, and the span its window began in (a phase or `<phase>:apply|revert`). */
export interface AbortSeen {
  reason: string;
  span: string | undefined;
}

export function judgeNegativeControl(
  plan: RunPlan,
  verdicts: readonly Verdict[],
  delivery: readonly Delivery[],
  aborted: AbortSeen | undefined,
): ControlOutcome {
  const faultPhases = new Set(plan.phases.filter((phase) => phase.faults.length > 0).map((phase) => phase.name));
  const baseline = baselineProblem(plan, verdicts, faultPhases);
  if (baseline) return invalid(baseline);
  const unloaded = loadProblems(plan, delivery);
  if (unloaded.length > 0) return invalid(`not every ingress got its load (${unloaded.join('; ')})`);
  const named = plan.scenario.expectFail;
  const breached = verdicts.filter(
    (v) =>
      v.outcome === 'fail' &&
      measured(v) &&
      (named.length > 0 ? named.some((name) => namesVerdict(name, v, faultPhases)) : faultPhases.has(v.phase)),
  );
  if (breached.length > 0) {
    const first = breached[0]!;
    return {
      status: 'passed',
      reason: `negative control passed: the harness saw the breach (${first.phase}/${first.ingress} ${first.budget}: ${first.value})`,
      exitCode: ExitCode.passed,
    };
  }
  // Only an abort while a fault was in effect (its phase, or the transitions around it) is the fault's doing.
  if (aborted && named.length === 0 && inFaultSpan(aborted.span, faultPhases))
    return { status: 'passed', reason: `negative control passed: ${aborted.reason}`, exitCode: ExitCode.passed };
  const what = named.length > 0 ? `none of ${named.join(', ')}` : 'no budget of a phase with faults';
  const abortNote =
    aborted && named.length === 0
      ? ` (the abort, in ${aborted.span ?? 'no phase'}, was not while a fault was in effect: ${aborted.reason})`
      : '';
  return invalid(
    `${what} was breached with measured data${abortNote}, so the harness did not show it notices the outage`,
  );
}

/**
 * "The baseline held" must be a judgement, not an absence of one: some budget was judged in the
 * phases before the first fault, and every verdict there passed. Undefined when it held.
 */
function baselineProblem(plan: RunPlan, verdicts: readonly Verdict[], faultPhases: Set<string>): string | undefined {
  const first = plan.phases.findIndex((phase) => faultPhases.has(phase.name));
  const names = new Set(plan.phases.slice(0, Math.max(0, first)).map((phase) => phase.name));
  const judged = verdicts.filter((v) => names.has(v.phase));
  if (judged.length === 0)
    return `no budget was judged before the first fault (${[...names].join(', ') || 'no phase before it'}), so nothing shows the system was healthy without it; add one under baseline or all`;
  const broken = judged.filter((v) => v.outcome !== 'pass');
  if (broken.length === 0) return undefined;
  return `the baseline did not hold before any fault (${broken.map((v) => `${v.phase}/${v.ingress} ${v.budget}: ${v.outcome}`).join('; ')})`;
}

/** `expect: { fail: ["<phase>: <metric>"] }`: that phase's budget; `all: <metric>` in any phase with faults. */
function namesVerdict(name: string, verdict: Verdict, faultPhases: Set<string>): boolean {
  const [phase = '', ...rest] = name.split(': ');
  const metric = rest.join(': ');
  if (!verdict.budget.startsWith(`${metric}: `)) return false;
  return phase === 'all' ? faultPhases.has(verdict.phase) : phase === verdict.phase;
}

/**
 * Where an abort's window lies: the first span with faults in effect (a phase with faults, or its
 * apply or revert transition) that the window [start, end) overlaps — its requests ended there,
 * some were sent there — else the span the window began in.
 */
export function abortSpan(
  plan: RunPlan,
  window: { startMs: number; endMs: number; phase: string },
  spans: ReadonlyArray<{ name: string; startMs: number; endMs?: number }>,
): string {
  const faultPhases = new Set(plan.phases.filter((phase) => phase.faults.length > 0).map((phase) => phase.name));
  const overlapping = spans.find(
    (span) =>
      inFaultSpan(span.name, faultPhases) &&
      window.endMs > span.startMs &&
      window.startMs < (span.endMs ?? Number.POSITIVE_INFINITY),
  );
  return overlapping?.name ?? window.phase;
}

/** A phase with faults, or its apply or revert transition. */
function inFaultSpan(span: string | undefined, faultPhases: Set<string>): boolean {
  if (span === undefined) return false;
  const phase = /^(.*):(apply|revert)$/.exec(span)?.[1] ?? span;
  return faultPhases.has(phase);
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
