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
import type { Mutation, RevertOutcome } from './mutation.js';

export const conflictAnnotation = 'chaos.dev/conflict';

/** What the mark says, as JSON on the object. */
export interface ConflictMark {
  run: string;
  fault: string;
  at: string;
  /** What differed: the undo's own words. */
  detail: string;
  /** The kubectl command that would restore what the run changed, if a person decides to. */
  manual: string;
}

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
  switch (mutation.kind) {
    case 'scale':
      await api.mergePatchWorkload(mutation.workload, mutation.namespace, mutation.name, patch);
      return true;
    case 'hpa-pin':
      await api.mergePatchHpa(mutation.namespace, mutation.name, patch);
      return true;
    case 'keda-pause':
      await api.mergePatchScaledObject(mutation.namespace, mutation.name, patch);
      return true;
    default:
      // Routes, Nodes, Pods: their undo never reports a conflict.
      return false;
  }
}

/** The mark on an object, if it carries a readable one. */
export function readConflictMark(annotations: Record<string, string> | undefined): ConflictMark | undefined {
  const text = annotations?.[conflictAnnotation];
  if (!text) return undefined;
  try {
    const mark = JSON.parse(text) as Partial<ConflictMark>;
    return {
      run: String(mark.run ?? '?'),
      fault: String(mark.fault ?? '?'),
      at: String(mark.at ?? '?'),
      detail: String(mark.detail ?? text),
      manual: String(mark.manual ?? ''),
    };
  } catch {
    return { run: '?', fault: '?', at: '?', detail: text, manual: '' };
  }
}
