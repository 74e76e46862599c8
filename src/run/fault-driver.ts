/**
 * The runner's view of the faults: apply a phase's faults (resolving once each is effective),
 * revert them, and revert everything at once on abort, signal or error. The real driver goes
 * through the Kubernetes API (src/faults + src/kube); tests may pass their own.
 */
import type { PlannedPhase } from './build-plan.js';

export interface AppliedFaultRecord {
  faultId: string;
  cluster: string;
  appliedAtMs: number;
  /** When `verify` saw the effect (e.g. no ready endpoints left). */
  effectiveAtMs: number;
  /** Istio: when the data plane had it (`convergence` says how that was known). */
  convergedAtMs?: number;
  convergence?: 'status' | 'settle';
}

export interface RevertedFaultRecord {
  faultId: string;
  cluster: string;
  revertedAtMs: number;
  /** Istio: when the data plane no longer had it. */
  revertConvergedAtMs?: number;
}

export interface RevertAllReport {
  reverted: RevertedFaultRecord[];
  /** What could not be reverted, each with how to do it by hand. */
  failures: Array<{ faultId: string; cluster: string; message: string; manual: string }>;
}

export interface FaultDriver {
  apply(phase: PlannedPhase, signal: AbortSignal): Promise<AppliedFaultRecord[]>;
  revert(phase: PlannedPhase): Promise<RevertedFaultRecord[]>;
  revertAll(reason: string): Promise<RevertAllReport>;
}
