/**
 * From a run's record to its outcome: verdicts, the expectation, time to impact and to
 * recover per ingress, and the exit code. Pure.
 */
import { ExitCode, type ExitCodeValue } from '../errors/exit-codes.js';
import type { Verdict, WindowSummary } from '../budgets/ledger.js';
import type { RunRecord } from './execute-run.js';
import type { RunPlan } from './build-plan.js';

export interface IngressTiming {
  ingress: string;
  /** From the first fault applied to the first window outside the baseline budgets; null = no impact seen. */
  timeToImpactMs: number | null;
  /** From the last revert to the first of N consecutive windows back within the baseline budgets; null = never. */
  timeToRecoverMs: number | null;
}

export interface RunOutcome {
  status: 'passed' | 'failed' | 'aborted' | 'interrupted' | 'error';
  /** Did the budgets hold (every verdict passed and no abort limit was breached)? */
  budgetsHeld: boolean;
  expectation: 'pass' | 'fail';
  reason: string;
  verdicts: Verdict[];
  timings: IngressTiming[];
  exitCode: ExitCodeValue;
}

export function judgeRun(plan: RunPlan, record: RunRecord): RunOutcome {
  const verdicts = record.ledger.verdicts();
  const expectation = plan.scenario.expect;
  const timings = plan.load.map((load) => timingFor(load.ingress, record, plan.scenario.recoveredAfterWindows));
  const unreverted = record.revertAll?.failures ?? [];
  const base = { expectation, verdicts, timings };
  if (unreverted.length > 0) {
    const list = unreverted.map((f) => `${f.faultId} in ${f.cluster}: ${f.message}; by hand: ${f.manual}`).join('\n  ');
    return {
      ...base,
      status: 'error',
      budgetsHeld: false,
      reason: `could not revert:\n  ${list}`,
      exitCode: ExitCode.harnessError,
    };
  }
  // Nothing is called clean that was not checked: a revert the system never came back from fails the run.
  const unverified = record.revertAll?.unverified ?? [];
  if (unverified.length > 0) {
    const list = unverified.map((u) => `${u.faultId} in ${u.cluster}: ${u.message}; check: ${u.check}`).join('\n  ');
    return {
      ...base,
      status: 'error',
      budgetsHeld: false,
      reason: `reverted, but not back to health within the bound:\n  ${list}`,
      exitCode: ExitCode.harnessError,
    };
  }
  switch (record.stop.kind) {
    case 'interrupted':
      return {
        ...base,
        status: 'interrupted',
        budgetsHeld: false,
        reason: `${record.stop.reason}; faults reverted`,
        exitCode: ExitCode.interrupted,
      };
    case 'error':
      return {
        ...base,
        status: 'error',
        budgetsHeld: false,
        reason: `${record.stop.reason}; faults reverted`,
        exitCode: ExitCode.harnessError,
      };
    case 'aborted':
    case 'completed': {
      const failed = verdicts.filter((verdict) => !verdict.pass);
      const held = record.stop.kind === 'completed' && failed.length === 0;
      const what =
        record.stop.kind === 'aborted'
          ? record.stop.reason
          : failed.length > 0
            ? `${failed.length} of ${verdicts.length} budget verdicts failed`
            : `all ${verdicts.length} budget verdicts passed`;
      const asExpected = held === (expectation === 'pass');
      const status = asExpected ? 'passed' : record.stop.kind === 'aborted' ? 'aborted' : 'failed';
      const reason =
        expectation === 'fail'
          ? `${what}; negative control ${asExpected ? 'passed: the harness saw the breach' : 'FAILED: the budgets held, so the harness did not notice the outage'}`
          : what;
      return {
        ...base,
        status,
        budgetsHeld: held,
        reason,
        exitCode: asExpected ? ExitCode.passed : ExitCode.budgetsBreached,
      };
    }
  }
}

function timingFor(ingress: string, record: RunRecord, recoveredAfter: number): IngressTiming {
  const windows = record.windows.filter((window) => window.ingress === ingress);
  const firstApplied = Math.min(...record.applied.map((r) => r.appliedAtMs));
  const lastReverted = Math.max(...record.reverted.map((r) => r.revertedAtMs));
  const impact = Number.isFinite(firstApplied)
    ? windows.find((w) => w.endMs > firstApplied && !w.withinBaseline)
    : undefined;
  return {
    ingress,
    timeToImpactMs: impact ? Math.max(0, impact.startMs - firstApplied) : null,
    timeToRecoverMs: Number.isFinite(lastReverted) ? recoveryTime(windows, lastReverted, recoveredAfter) : null,
  };
}

function recoveryTime(windows: WindowSummary[], revertedAt: number, needed: number): number | null {
  const after = windows.filter((w) => w.startMs >= revertedAt - (w.endMs - w.startMs));
  for (let i = 0; i + needed <= after.length; i += 1) {
    if (after.slice(i, i + needed).every((w) => w.withinBaseline)) return Math.max(0, after[i]!.startMs - revertedAt);
  }
  return null;
}
