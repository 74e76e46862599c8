/**
 * Time to impact and time to recover per ingress, at request precision, from the converged
 * times of the faults (src/budgets/request-trail.ts states the rule). Never clamped: a negative
 * time says the traffic changed before convergence was observed.
 */
import { timeToImpact, timeToRecover, type Baseline, type TimeTo } from '../../budgets/request-trail.js';
import type { RunRecord } from '../timeline/run-record.js';
import type { RunPlan } from '../plan/build-plan.js';

export type { TimeTo };

export interface IngressTiming {
  ingress: string;
  /** From the fault's converged time to the first request that breached the baseline's behaviour. */
  timeToImpact: TimeTo;
  /** From the revert's converged time to the first stretch of N windows back within it. */
  timeToRecover: TimeTo;
  /** What "the baseline's behaviour" was: its failure share and p99 latency (ms); null without a baseline. */
  baseline: Baseline | null;
}

/** The phase whose behaviour is the reference: the last fault-free phase before the first with faults. */
function baselineOf(plan: RunPlan, record: RunRecord, ingress: string): Baseline | null {
  const first = plan.phases.findIndex((phase) => phase.faults.length > 0);
  const reference = plan.phases
    .slice(0, first < 0 ? 0 : first)
    .filter((phase) => phase.faults.length === 0)
    .at(-1);
  const stats = record.ledger
    .phaseSummaries()
    .find((entry) => entry.phase === reference?.name && entry.ingress === ingress)?.stats;
  if (!stats || stats.requests === 0) return null;
  return { failureShare: stats.failures / stats.requests, p99Ms: stats.p99 ?? 0 };
}

export function timingsOf(plan: RunPlan, record: RunRecord): IngressTiming[] {
  const applyStart = record.ledger.transitionList().find((t) => t.stage === 'apply')?.startMs;
  const revertStart = record.ledger
    .transitionList()
    .filter((t) => t.stage === 'revert')
    .at(-1)?.startMs;
  const converged = Math.min(...record.applied.map((r) => r.convergedAtMs ?? r.effectiveAtMs));
  const reverted = Math.max(...record.reverted.map((r) => r.revertConvergedAtMs ?? r.verifiedAtMs ?? r.revertedAtMs));
  const windowMs = plan.scenario.windowMs;
  return plan.load.map(({ ingress }) => {
    const baseline = baselineOf(plan, record, ingress);
    const trail = record.trails.get(ingress);
    const notMeasured = { ingress, baseline, timeToImpact: none, timeToRecover: none };
    if (!baseline || !trail || applyStart === undefined || !Number.isFinite(converged)) return notMeasured;
    const after = trail.requests(baseline, applyStart, record.endedAtMs);
    const impact = timeToImpact(after, baseline, converged, windowMs);
    if (revertStart === undefined || !Number.isFinite(reverted)) return { ...notMeasured, timeToImpact: impact };
    const recovery = trail.requests(baseline, revertStart, record.endedAtMs);
    // An ingress the fault never reached has nothing to recover from: not "0 ms".
    if (impact.kind === 'not-impacted') return { ingress, baseline, timeToImpact: impact, timeToRecover: impact };
    return {
      ingress,
      baseline,
      timeToImpact: impact,
      timeToRecover: timeToRecover(
        recovery,
        baseline,
        reverted,
        windowMs * plan.scenario.recoveredAfterWindows,
        record.endedAtMs,
      ),
    };
  });
}

const none: TimeTo = { kind: 'not-measured' };

/** "+1.20 s", "−351 ms", "not impacted", "never recovered", "not measured" */
export function formatTimeTo(time: TimeTo): string {
  if (time.kind !== 'measured') return time.kind.replace('-', ' ');
  const sign = time.ms < 0 ? '−' : '';
  const abs = Math.abs(time.ms);
  return abs >= 1000 ? `${sign}${(abs / 1000).toFixed(2)} s` : `${sign}${Math.round(abs)} ms`;
}
