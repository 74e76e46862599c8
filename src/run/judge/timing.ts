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
  /**
   * From the revert's converged time to the first stretch of N windows back within it; when the
   * impact healed before the revert, `recovered-during-fault`, counted from the fault's converged time.
   */
  timeToRecover: TimeTo;
  /** How long the impact lasted: its first out-of-line request → the first request of recovery. */
  impactDuration: TimeTo;
  /** What "the baseline's behaviour" was: its failure share and p99 latency (ms); null without a baseline. */
  baseline: Baseline | null;
}

/**
 * The phase whose behaviour is the reference: the last fault-free phase before the first with
 * faults. Its failure share counts failed checks beside failed requests (the trail has both).
 */
function baselineOf(plan: RunPlan, record: RunRecord, ingress: string): Baseline | null {
  const first = plan.phases.findIndex((phase) => phase.faults.length > 0);
  const reference = plan.phases
    .slice(0, first < 0 ? 0 : first)
    .filter((phase) => phase.faults.length === 0)
    .at(-1);
  const entry = record.ledger
    .phaseSummaries()
    .find((summary) => summary.phase === reference?.name && summary.ingress === ingress);
  const stats = entry?.stats;
  if (!entry || !stats || stats.requests === 0) return null;
  const share = record.trails.get(ingress)?.failureShare(entry.startMs, entry.endMs);
  return { failureShare: share ?? stats.failures / stats.requests, p99Ms: stats.p99 ?? 0 };
}

/** The times the rules count from: the first apply's call and convergence, the last revert's. */
function faultTimes(record: RunRecord) {
  const transitions = record.ledger.transitionList();
  return {
    applyStart: transitions.find((t) => t.stage === 'apply')?.startMs,
    revertStart: transitions.filter((t) => t.stage === 'revert').at(-1)?.startMs,
    converged: Math.min(...record.applied.map((r) => r.convergedAtMs ?? r.effectiveAtMs)),
    reverted: Math.max(...record.reverted.map((r) => r.revertConvergedAtMs ?? r.verifiedAtMs ?? r.revertedAtMs)),
  };
}

export function timingsOf(plan: RunPlan, record: RunRecord): IngressTiming[] {
  const times = faultTimes(record);
  const windowMs = plan.scenario.windowMs;
  const stretchMs = windowMs * plan.scenario.recoveredAfterWindows;
  return plan.load.map(({ ingress }) => {
    const baseline = baselineOf(plan, record, ingress);
    const trail = record.trails.get(ingress);
    const notMeasured = { ingress, baseline, timeToImpact: none, timeToRecover: none, impactDuration: none };
    const { applyStart, revertStart, converged, reverted } = times;
    if (!baseline || !trail || applyStart === undefined || !Number.isFinite(converged)) return notMeasured;
    // Impact is looked for until the revert's call: what the revert itself does belongs to recovery.
    const impactEnd = revertStart ?? record.endedAtMs;
    const during = trail.requests(baseline, applyStart, impactEnd);
    const impact = timeToImpact(during, baseline, converged, windowMs);
    // An ingress the fault never reached has nothing to recover from: not "0 ms".
    if (impact.kind !== 'measured')
      return { ...notMeasured, timeToImpact: impact, ...(impact.kind === 'not-impacted' ? healed(impact) : {}) };
    const impactAt = converged + impact.ms;
    // Healed before the revert: its own outcome, timed from the fault's start.
    const early = timeToRecover(during, baseline, converged, stretchMs, impactEnd, impactAt);
    if (early.kind === 'measured') {
      const recovered: TimeTo = {
        kind: 'recovered-during-fault',
        ms: early.ms,
        impactMs: converged + early.ms - impactAt,
      };
      return {
        ingress,
        baseline,
        timeToImpact: impact,
        timeToRecover: recovered,
        impactDuration: lasted(recovered.impactMs),
      };
    }
    if (revertStart === undefined || !Number.isFinite(reverted)) return { ...notMeasured, timeToImpact: impact };
    const after = trail.requests(baseline, revertStart, record.endedAtMs);
    const recovery = timeToRecover(after, baseline, reverted, stretchMs, record.endedAtMs);
    const impactDuration = recovery.kind === 'measured' ? lasted(reverted + recovery.ms - impactAt) : recovery;
    return { ingress, baseline, timeToImpact: impact, timeToRecover: recovery, impactDuration };
  });
}

const lasted = (ms: number): TimeTo => ({ kind: 'measured', ms });
/** Not impacted: nothing to recover from, and no impact that lasted. */
const healed = (impact: TimeTo) => ({ timeToRecover: impact, impactDuration: impact });

const none: TimeTo = { kind: 'not-measured' };

/**
 * "+1.20 s", "−351 ms", "not impacted", "never recovered", "not measured", "recovered during the
 * fault, 300 ms after it began; impact lasted 200 ms"
 */
export function formatTimeTo(time: TimeTo): string {
  if (time.kind === 'recovered-during-fault')
    return `recovered during the fault, ${formatMs(time.ms)} after it began; impact lasted ${formatMs(time.impactMs)}`;
  if (time.kind !== 'measured') return time.kind.replace(/-/g, ' ');
  return formatMs(time.ms);
}

function formatMs(ms: number): string {
  const time = { ms };
  const sign = time.ms < 0 ? '−' : '';
  const abs = Math.abs(time.ms);
  return abs >= 1000 ? `${sign}${(abs / 1000).toFixed(2)} s` : `${sign}${Math.round(abs)} ms`;
}
