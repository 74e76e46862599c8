/**
 * What a fault session reports: the records of applied and reverted faults, what could not be
 * undone (with the by-hand command), what was reverted but not seen healthy again (with the
 * command that shows it), and why an apply failed.
 */
import { HarnessError } from '../../errors/errors.js';
import { describeMutation, isSettled, type Mutation, type RevertOutcome } from '../../faults/mutation.js';
import { mutationHandlerFor } from '../../faults/registry.js';
import type { PlannedPhase } from '../plan/build-plan.js';
import type { AppliedFault, RevertedFault, RevertReport, Unreverted } from './fault-driver.js';
import { describeRecord, type FaultRecord } from './fault-session-records.js';

export class FaultApplyError extends HarnessError {
  constructor(readonly failures: Array<{ faultId: string; cluster: string; message: string }>) {
    super(
      `could not apply: ${failures.map((f) => `fault ${f.faultId} in ${f.cluster}: ${f.message}`).join('; ')}`,
      'everything applied so far is reverted by the run',
    );
  }
}

export class RevertError extends HarnessError {
  constructor(readonly failures: Unreverted[]) {
    super(`could not revert: ${failures.map((f) => `${f.message} (by hand: ${f.manual})`).join('; ')}`);
  }
}

/** Why a phase's apply failed, or undefined when every fault of it is effective. */
export function applyFailure(
  phase: PlannedPhase,
  phaseRecords: readonly FaultRecord[],
  stopped: boolean,
): FaultApplyError | undefined {
  const failed = phaseRecords.filter((record) => record.status !== 'effective');
  const planned = phase.faults.reduce((sum, f) => sum + f.targets.length, 0);
  if (failed.length === 0 && phaseRecords.length >= planned) return undefined;
  const failures = failed.map((record) => ({
    faultId: record.fault.id,
    cluster: record.target.cluster,
    message: record.error ?? 'not applied',
  }));
  const message = stopped ? 'stopped before every fault was applied' : 'not every fault was applied';
  return new FaultApplyError(failures.length > 0 ? failures : [{ faultId: '*', cluster: '*', message }]);
}

export function toApplied(record: FaultRecord): AppliedFault {
  return {
    phase: record.phase,
    faultId: record.fault.id,
    type: record.fault.type,
    cluster: record.target.cluster,
    appliedAtMs: record.appliedAtMs ?? 0,
    effectiveAtMs: record.effectiveAtMs ?? 0,
    ...(record.convergence
      ? { convergedAtMs: record.convergence.convergedAtMs, convergence: record.convergence.convergence }
      : {}),
    mutations: record.mutations.map((state) => state.mutation),
  };
}

/** Reverted, but never seen healthy again within the bound: the command that shows it. */
export function unverifiedOf(selected: readonly FaultRecord[]): RevertReport['unverified'] {
  return selected
    .filter((record) => record.status === 'reverted' && record.verifiedAtMs === undefined)
    .map((record) => ({
      faultId: record.fault.id,
      cluster: record.target.cluster,
      message: record.error ?? 'not verified',
      check: record.mutations.map((state) => checkCommand(state.mutation, record.api.context)).join(' && '),
    }));
}

/** The kubectl command that shows whether what a mutation changed is healthy again. */
function checkCommand(mutation: Mutation, context: string): string {
  return mutationHandlerFor(mutation).check(mutation, context);
}

export function toReverted(record: FaultRecord): RevertedFault {
  const outcomes = record.mutations
    .map((state) => state.outcome)
    .filter((outcome): outcome is RevertOutcome => outcome !== undefined);
  return {
    phase: record.phase,
    faultId: record.fault.id,
    cluster: record.target.cluster,
    revertedAtMs: record.revertedAtMs ?? 0,
    verifiedAtMs: record.verifiedAtMs,
    ...(record.revertConvergence ? { revertConvergedAtMs: record.revertConvergence.convergedAtMs } : {}),
    outcomes,
    notes: outcomes.flatMap((outcome) => (outcome.status === 'reverted' ? (outcome.notes ?? []) : [])),
  };
}

export function unreverted(records: readonly FaultRecord[]): Unreverted[] {
  return records.flatMap((record) =>
    record.mutations
      .filter((state) => !state.outcome || !isSettled(state.outcome))
      .map((state) => {
        const outcome = state.outcome;
        const message =
          outcome && !isSettled(outcome)
            ? outcome.detail
            : `${describeMutation(state.mutation)}: not reverted (${describeRecord(record)})`;
        const manual =
          outcome && (outcome.status === 'failed' || outcome.status === 'conflict') && outcome.manual
            ? outcome.manual
            : mutationHandlerFor(state.mutation).manual(state.mutation, record.api.context);
        return { faultId: record.fault.id, cluster: record.target.cluster, message, manual };
      }),
  );
}
