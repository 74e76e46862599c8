/**
 * Moves a mutation's `chaos.dev/expires` later, on the object itself: a game day that holds a step
 * past its planned end says so, so that a guard (which honours expiry even when the run's Lease is
 * renewed) does not revert a step the facilitator is still holding. Only objects that carry the
 * annotation are patched; evictions and Pod deletions carry none.
 */
import { expiryAnnotations } from '../../faults/annotations.js';
import type { Mutation } from '../../faults/mutation.js';
import { mutationHandlerFor } from '../../faults/registry.js';
import { isNotFound } from '../../kube/api-error.js';
import type { ClusterApi } from '../../kube/cluster-api.js';

/** Patches the annotation of the object `mutation` changed; false when it has no such object. */
export async function patchExpiry(
  api: ClusterApi,
  mutation: Mutation,
  expiresAt: string,
  nowMs: number,
): Promise<boolean> {
  const handler = mutationHandlerFor(mutation);
  if (!handler.markObject) return false;
  try {
    await handler.markObject(mutation, api, { metadata: { annotations: expiryAnnotations(expiresAt, nowMs) } });
    return true;
  } catch (error) {
    // Gone already (reverted meanwhile, or deleted by someone): nothing of ours is left to expire.
    if (isNotFound(error)) return false;
    throw error;
  }
}
