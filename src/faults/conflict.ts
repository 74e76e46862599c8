/**
 * A revert conflict ends once: when an undo finds that someone else changed what we changed (an
 * on-call `kubectl scale`, Argo CD or Helm restoring an HPA's bounds), the object is left as they
 * made it, our annotations are removed — so no scan finds a "leftover" there again, no guard
 * retries it, no run is refused for it, and a later legitimate change is never "reverted" — and one
 * mark stays: `chaos.dev/conflict`, naming the run, the fault, what differed and how to decide.
 * `chaos recover` lists marked objects; `kubectl annotate … chaos.dev/conflict-` clears the mark.
 */
import type { ClusterApi } from '../kube/cluster-api.js';
import { errorText } from '../errors/errors.js';
import { isNotFound } from '../kube/api-error.js';
import { annotation } from './annotations.js';
import { conflictAnnotation, type ConflictMark } from './conflict-mark.js';
import { mutationHandlerFor } from './registry.js';
import type { Mutation, RevertOutcome } from './mutation.js';

/** The merge patch: every annotation of ours removed, the mark set. */
function markPatch(mark: ConflictMark): { metadata: { annotations: Record<string, string | null> } } {
  const removed = Object.fromEntries(Object.values(annotation).map((key) => [key, null]));
  return { metadata: { annotations: { ...removed, [conflictAnnotation]: JSON.stringify(mark) } } };
}

/**
 * Marks the object of a conflicted mutation (one merge patch, annotations only: nothing the other
 * party changed is touched). Returns the outcome to record: the conflict, saying it was marked.
 * Outcomes other than `conflict` pass through unchanged.
 */
export async function settleConflict(
  api: ClusterApi,
  mutation: Mutation,
  outcome: RevertOutcome,
  nowMs: number,
): Promise<RevertOutcome> {
  if (outcome.status !== 'conflict') return outcome;
  const mark: ConflictMark = {
    run: mutation.runId,
    fault: mutation.faultId,
    at: new Date(nowMs).toISOString(),
    detail: outcome.detail,
    manual: outcome.manual,
  };
  try {
    const marked = await patchMark(api, mutation, markPatch(mark));
    if (!marked) return outcome;
  } catch (error) {
    if (isNotFound(error)) return outcome;
    return { ...outcome, detail: `${outcome.detail}; could not mark it ${conflictAnnotation}: ${errorText(error)}` };
  }
  return {
    ...outcome,
    marked: true,
    detail: `${outcome.detail}; marked ${conflictAnnotation} and our other annotations removed: never retried, decide by hand`,
  };
}

async function patchMark(api: ClusterApi, mutation: Mutation, patch: ReturnType<typeof markPatch>): Promise<boolean> {
  const handler = mutationHandlerFor(mutation);
  // Kinds whose undo never reports a conflict leave no object of ours to mark (evictions, Pod deletions).
  if (!handler.markObject) return false;
  await handler.markObject(mutation, api, patch);
  return true;
}
