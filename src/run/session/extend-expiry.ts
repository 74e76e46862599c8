/**
 * Moves a mutation's `chaos.dev/expires` later, on the object itself: a game day that holds a step
 * past its planned end says so, so that a guard (which honours expiry even when the run's Lease is
 * renewed) does not revert a step the facilitator is still holding. Only objects that carry the
 * annotation are patched; evictions and Pod deletions carry none.
 */
import { annotation } from '../../faults/annotations.js';
import type { Mutation } from '../../faults/mutation.js';
import { isNotFound } from '../../kube/api-error.js';
import type { ClusterApi } from '../../kube/cluster-api.js';

/** Patches the annotation of the object `mutation` changed; false when it has no such object. */
export async function patchExpiry(api: ClusterApi, mutation: Mutation, expiresAt: string): Promise<boolean> {
  const patch = { metadata: { annotations: { [annotation.expires]: expiresAt } } };
  try {
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
      case 'route-insert':
      case 'virtualservice-create':
        await api.mergePatchVirtualService(mutation.namespace, mutation.virtualService, patch);
        return true;
      case 'cordon':
        await api.mergePatchNode(mutation.node, patch);
        return true;
      case 'evict':
      case 'pod-delete':
        return false;
    }
  } catch (error) {
    // Gone already (reverted meanwhile, or deleted by someone): nothing of ours is left to expire.
    if (isNotFound(error)) return false;
    throw error;
  }
}
