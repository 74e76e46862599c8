/**
 * From a run's record to its outcome: verdicts (with delivered load), the expectation, time to
 * impact and to recover per ingress, and the exit code. Pure.
 */
import { ExitCode, type ExitCodeValue } from '../../errors/exit-codes.js';
import type { Verdict } from '../../budgets/ledger.js';
import { describeDelivery, type Delivery } from '../../budgets/delivery.js';
import type { RunRecord } from '../timeline/run-record.js';
import type { RunPlan } from '../plan/build-plan.js';
import { timingsOf, type IngressTiming } from './timing.js';
import { abortSpan, judgeNegativeControl } from './negative-control.js';
import { judgeTimingBudgets } from './judge-timing.js';

export interface RunOutcome {
  /**
   * inconclusive: nothing failed, but load was not delivered or samples were too few;
   * invalid: a negative control that proves nothing, or a run that lost its lock mid-run (exit 3).
   */
  status: 'passed' | 'failed' | 'aborted' | 'interrupted' | 'error' | 'inconclusive' | 'invalid';
  /** Did the budgets hold (every verdict passed and no abort limit was breached)? */
  budgetsHeld: boolean;
  expectation: 'pass' | 'fail';
  reason: string;
  verdicts: Verdict[];
  delivery: Delivery[];
  /** The spans from a fault's API call until it converged (apply and revert), judged by no budget. */
  transitions: Array<{ name: string; durationMs: number }>;
  timings: IngressTiming[];
  exitCode: ExitCodeValue;
}

/**
 * A verdict that passed on load that was not delivered proves nothing: it is inconclusive. So is
 * "no data" there: nothing measured where the load did not arrive says nothing of the service
 * (a breach needs a measurement), never a breach.
 */
export function withDelivery(verdicts: readonly Verdict[], delivery: readonly Delivery[]): Verdict[] {
  const short = new Set(delivery.filter((d) => d.outcome === 'under-delivered').map((d) => `${d.phase}|${d.ingress}`));
  return verdicts.map((verdict) =>
    (verdict.outcome === 'pass' || verdict.outcome === 'no-data') && short.has(`${verdict.phase}|${verdict.ingress}`)
      ? { ...verdict, pass: false, outcome: 'inconclusive' }
      : verdict,
  );
}

export function judgeRun(plan: RunPlan, record: RunRecord): RunOutcome {
  const delivery = record.ledger.delivery();
  const timings = timingsOf(plan, record);
  const verdicts = withDelivery([...record.ledger.verdicts(), ...judgeTimingBudgets(plan, timings)], delivery);
  const expectation = plan.scenario.expect;
  const transitions = record.ledger
    .transitionList()
    .map((span) => ({ name: span.name, durationMs: (span.endMs ?? span.startMs) - span.startMs }));
  const base = { expectation, verdicts, delivery, transitions, timings };
  const harness = harnessOutcome(record);
  if (harness) return { ...base, ...harness, budgetsHeld: false };
  const failed = verdicts.filter((v) => v.outcome === 'fail' || v.outcome === 'no-data');
  const inconclusive = verdicts.filter((v) => v.outcome === 'inconclusive');
  const aborted = record.stop.kind === 'aborted' ? record.stop.reason : undefined;
  const held = !aborted && failed.length === 0 && inconclusive.length === 0;
  if (expectation === 'fail') {
    // Where the abort's window lay: only one while a fault was in effect proves the control.
    const window = record.windows.find((w) => w.breaches.length > 0);
    const spans = [...record.ledger.phaseList(), ...record.ledger.transitionList()];
    const span = window && abortSpan(plan, window, spans);
    const control = judgeNegativeControl(plan, verdicts, delivery, aborted ? { reason: aborted, span } : undefined);
    return { ...base, ...control, budgetsHeld: held };
  }
  const short = delivery.filter((d) => d.outcome === 'under-delivered');
  const shortText = short.map((d) => `${d.phase}/${d.ingress}: ${describeDelivery(d)}`).join('; ');
  if (aborted) return { ...base, status: 'aborted', budgetsHeld: false, reason: aborted, exitCode: 1 };
  if (failed.length > 0)
    return {
      ...base,
      status: 'failed',
      budgetsHeld: false,
      reason: `${failed.length} of ${verdicts.length} budget verdicts failed`,
      exitCode: ExitCode.budgetsBreached,
    };
  if (inconclusive.length > 0)
    return {
      ...base,
      status: 'inconclusive',
      budgetsHeld: false,
      reason: `${inconclusive.length} of ${verdicts.length} budget verdicts inconclusive${shortText ? ` (load not delivered: ${shortText})` : ''}`,
      exitCode: ExitCode.inconclusive,
    };
  return {
    ...base,
    status: 'passed',
    budgetsHeld: true,
    reason: `all ${verdicts.length} budget verdicts passed`,
    exitCode: ExitCode.passed,
  };
}

/** A run that did not finish its timeline, or did not put everything back: no budget verdict stands. */
/** Below this share of the requests k6 reports, the harness did not see the load (issue 26, item 10). */
const minSeenShare = 0.5;
/** …once k6 has reported this many: fewer are too few to tell. */
const minReportedRequests = 20;

/**
 * A harness that saw far less of the load than k6 reports having sent cannot judge the service:
 * its "no data" and its breaches would be its own blindness (requests sent by a module the
 * harness does not record, a records file it could not read). k6's count is its `http_reqs` at
 * the last look before it ended, so the harness's count (everything it read) is compared with a
 * count that can only be smaller than k6's final one.
 */
export function blindness(record: Pick<RunRecord, 'seen'>): string | undefined {
  const seen = record.seen;
  if (!seen || seen.k6 < minReportedRequests || seen.harness >= seen.k6 * minSeenShare) return undefined;
  return `the harness saw ${seen.harness} of the ${seen.k6} requests k6 reports having sent: it cannot judge what it did not see (a request sent by a module the harness does not record? docs/user-scripts.md); no verdict stands`;
}

function harnessOutcome(record: RunRecord): Pick<RunOutcome, 'status' | 'reason' | 'exitCode'> | undefined {
  const unreverted = record.revertAll?.failures ?? [];
  if (unreverted.length > 0) {
    const list = unreverted.map((f) => `${f.faultId} in ${f.cluster}: ${f.message}; by hand: ${f.manual}`).join('\n  ');
    return { status: 'error', reason: `could not revert:\n  ${list}`, exitCode: ExitCode.harnessError };
  }
  // A run that lost its lock: a guard undid its faults mid-phase, so no verdict of it stands.
  if (record.lockLost)
    return {
      status: 'invalid',
      reason: `${record.lockLost}; its faults were not in place for the whole phase, so no verdict stands; what it still held was reverted`,
      exitCode: ExitCode.harnessError,
    };
  // Nothing is called clean that was not checked: a revert the system never came back from fails the run.
  const unverified = record.revertAll?.unverified ?? [];
  if (unverified.length > 0) {
    const list = unverified.map((u) => `${u.faultId} in ${u.cluster}: ${u.message}; check: ${u.check}`).join('\n  ');
    return {
      status: 'error',
      reason: `reverted, but not back to health within the bound:\n  ${list}`,
      exitCode: ExitCode.harnessError,
    };
  }
  if (record.stop.kind === 'interrupted')
    return { status: 'interrupted', reason: `${record.stop.reason}; faults reverted`, exitCode: ExitCode.interrupted };
  const blind = blindness(record);
  if (blind) return { status: 'error', reason: blind, exitCode: ExitCode.harnessError };
  if (record.stop.kind === 'error')
    return { status: 'error', reason: `${record.stop.reason}; faults reverted`, exitCode: ExitCode.harnessError };
  return undefined;
}
