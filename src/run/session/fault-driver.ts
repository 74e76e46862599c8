/**
 * The runner's view of the faults, and the one definition of what applying and reverting them
 * returns: apply a phase's faults (resolving once each is effective), revert them, and revert
 * everything at once on abort, signal or error. The fault session (fault-session.ts) is the real
 * driver, over the Kubernetes API; tests may pass their own.
 */
import type { Mutation, RevertOutcome } from '../../faults/mutation.js';
import type { FaultType } from '../../scenario/types.js';
import type { PlannedPhase } from '../plan/build-plan.js';

export interface AppliedFault {
  phase: string;
  faultId: string;
  type: FaultType;
  cluster: string;
  appliedAtMs: number;
  /** When `verify` saw the effect (e.g. no ready endpoints left). */
  effectiveAtMs: number;
  /** Istio: when the data plane had it (`convergence` says how that was known). */
  convergedAtMs?: number;
  convergence?: 'status' | 'settle';
  mutations: Mutation[];
}

export interface RevertedFault {
  phase: string;
  faultId: string;
  cluster: string;
  revertedAtMs: number;
  /** When verifyReverted saw the system back; undefined if not verified (yet). */
  verifiedAtMs?: number;
  /** Istio: when the data plane no longer had it. */
  revertConvergedAtMs?: number;
  outcomes: RevertOutcome[];
  /** Concurrent edits we noticed and kept (e.g. someone else's change to the VirtualService). */
  notes: string[];
}

/** Something still changed after the revert, and how to undo it by hand. */
export interface Unreverted {
  faultId: string;
  cluster: string;
  message: string;
  manual: string;
}

export interface RevertReport {
  reason: string;
  startedAtMs: number;
  finishedAtMs: number;
  reverted: RevertedFault[];
  failures: Unreverted[];
  /** Reverted, but the system did not come back within the bound (e.g. Pods not ready). */
  unverified: Array<{ faultId: string; cluster: string; message: string; /** kubectl to look at it. */ check: string }>;
}

export interface FaultDriver {
  apply(phase: PlannedPhase, signal?: AbortSignal): Promise<AppliedFault[]>;
  revert(phase: PlannedPhase): Promise<RevertedFault[]>;
  revertAll(reason?: string): Promise<RevertReport>;
  /**
   * Game day hold: the phase's faults stay `forMs` longer than now, so their `chaos.dev/expires`
   * becomes now + forMs + the session's margin. Returns problems (never throws).
   */
  extendExpiry?(phase: string, forMs: number): Promise<string[]>;
}
