/**
 * What a run leaves for the judge: how it stopped, the ledger and windows, the faults applied and
 * reverted, k6's end, every request's trail; and the mesh's clock of a phase (when its faults and
 * reverts converged).
 */
import type { K6End } from '../../load/k6-run.js';
import type { Ledger, WindowSummary } from '../../budgets/ledger.js';
import type { RequestTrail } from '../../budgets/request-trail.js';
import type { RawAudit } from './raw-audit.js';
import type { AppliedFault, RevertedFault, RevertReport } from '../session/fault-driver.js';

export type RunStop =
  | { kind: 'completed' }
  | { kind: 'aborted'; reason: string }
  | { kind: 'interrupted'; reason: string }
  | { kind: 'error'; reason: string };

/** Thrown (as an abort reason) to end the timeline with this stop. */
export class Stop extends Error {
  constructor(readonly stop: RunStop) {
    super(stop.kind);
  }
}

/** When every fault of the phase was in effect in the data plane: the latest converged (else effective) time. */
export function convergedAt(records: readonly AppliedFault[]): number | undefined {
  if (records.length === 0) return undefined;
  return Math.max(...records.map((r) => r.convergedAtMs ?? r.effectiveAtMs));
}

/** When every revert of the phase was in effect: the latest converged, else verified, else API time. */
export function revertConvergedAt(records: readonly RevertedFault[]): number | undefined {
  if (records.length === 0) return undefined;
  return Math.max(...records.map((r) => r.revertConvergedAtMs ?? r.verifiedAtMs ?? r.revertedAtMs));
}

export interface RunRecord {
  stop: RunStop;
  ledger: Ledger;
  windows: WindowSummary[];
  applied: AppliedFault[];
  reverted: RevertedFault[];
  revertAll?: RevertReport;
  k6End?: K6End;
  startedAtMs: number;
  endedAtMs: number;
  /** Every request per ingress by send time, for time to impact and to recover. */
  trails: Map<string, RequestTrail>;
  /**
   * The run lost its lock mid-run (a guard took it over while the harness was paused or cut off):
   * its faults were not in place for the whole phase, whatever the samples say.
   */
  lockLost?: string;
  /** Requests k6 itself reported completing (its REST API, last look) and those the harness saw. */
  seen?: { k6: number; harness: number };
  /** --raw-samples: the verdicts judged again from k6's own per-request output, compared. */
  rawAudit?: RawAudit;
}
