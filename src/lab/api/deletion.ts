/**
 * Deletion as the real control plane does it: a scheduled Pod gets a deletionTimestamp and is
 * removed by its kubelet when its containers stop; a Namespace turns Terminating until its
 * contents are gone; everything else goes at once (dependents follow via the garbage collector).
 */
import { keyOf, keys, type ResourceType } from './resource-types.js';
import type { KubeObject, Pod } from './object-types.js';
import type { ObjectStore } from './store.js';

export interface DeleteResult {
  /** The object as it now is: with a deletionTimestamp, or as it was when removed. */
  object: KubeObject;
  removed: boolean;
}

export function deleteObject(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  graceSeconds?: number,
): DeleteResult | undefined {
  const key = keyOf(type);
  const current = store.peek(key, namespace, name);
  if (!current) return undefined;
  if (key === keys.pods) {
    const pod = current as Pod;
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (pod.spec.nodeName && grace > 0 && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
      const marked = store.markDeleting(key, namespace, name, grace);
      return marked ? { object: marked, removed: false } : undefined;
    }
  }
  if (key === keys.namespaces) {
    const marked = store.markDeleting(key, namespace, name, 0);
    if (!marked) return undefined;
    const terminating = { ...marked, status: { phase: 'Terminating' } };
    return { object: store.update(key, terminating), removed: false };
  }
  const removed = store.remove(key, namespace, name);
  return removed ? { object: removed, removed: true } : undefined;
}
