/**
 * A mutation is one change a fault makes to one object, recorded *before* it is made with
 * everything needed to undo it. The same record is written to the journal and (in
 * annotation form) onto the object, so a revert needs neither the scenario nor the process
 * that applied it: `chaos recover` rebuilds these records from either source.
 */

export interface MutationBase {
  runId: string;
  faultId: string;
  cluster: string;
  /** ISO time after which the run that made it is presumed dead (annotation chaos.dev/expires). */
  expiresAt: string;
  /**
   * From the object's `chaos.dev/expires-in` (scans only): the expiry as a duration from the write,
   * which an observer times from when it first saw it, by its own clock.
   */
  expiresInMs?: number;
}

/** A mutation of some kind: what the shared code of faults/ handles without knowing the kinds. */
export interface MutationRecord extends MutationBase {
  kind: string;
}

/** How one mutation's revert ended. Everything but `failed` and `conflict` means "nothing of ours is left". */
export type RevertOutcome =
  | { status: 'reverted'; detail: string; notes?: string[] }
  /** Nothing of ours was there any more (reverted before, never landed, or the object is gone). */
  | { status: 'absent'; detail: string }
  /** Someone else changed what we changed: we did not overwrite it. A human decides. */
  | {
      status: 'conflict';
      detail: string;
      manual: string;
      /** The object carries `chaos.dev/conflict` and none of our other annotations: it is over, never retried. */
      marked?: boolean;
    }
  | { status: 'failed'; detail: string; manual: string };

export function isSettled(outcome: RevertOutcome): boolean {
  return outcome.status === 'reverted' || outcome.status === 'absent';
}
