/**
 * The disruption controller: keeps each PodDisruptionBudget's status (currentHealthy,
 * desiredHealthy, disruptionsAllowed, expectedPods, observedGeneration) true to its Pods.
 */
import type { PodDisruptionBudget } from '../api/object-types.js';

/** An evicted Pod stays "disrupted" until it is terminating or gone (or 2 minutes pass, as in KCM). */
function stillDisrupted(cluster: ClusterApi, pdb: PodDisruptionBudget): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, since] of Object.entries(disruptedPods(pdb))) {
    const pod = cluster.store.peek<Pod>(keys.pods, pdb.metadata.namespace, name);
    if (pod && !isTerminating(pod) && Date.now() - Date.parse(since) < 120_000) kept[name] = since;
  }
  return kept;
}
import { keys } from '../api/resource-types.js';
import { budgetStatus, disruptedPods } from '../api/disruption-budget.js';
import { isTerminating, type Pod } from '../api/object-types.js';
import type { ClusterApi } from '../api/request-context.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

function reconcile(cluster: ClusterApi, namespace: string): void {
  for (const pdb of cluster.store.peekAll<PodDisruptionBudget>(keys.pdbs, namespace)) {
    const computed = budgetStatus(cluster.store, pdb);
    const status = {
      ...pdb.status,
      ...computed,
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptedPods: stillDisrupted(cluster, pdb),
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: computed.disruptionsAllowed > 0 ? 'True' : 'False',
          reason: computed.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
          message: '',
          observedGeneration: pdb.metadata.generation ?? 1,
          lastTransitionTime: cluster.store.timestamp(),
        },
      ],
    };
    const before = JSON.stringify({ ...pdb.status, conditions: undefined });
    const after = JSON.stringify({ ...status, conditions: undefined });
    if (before !== after || pdb.status?.conditions === undefined)
      cluster.store.update(keys.pdbs, { ...structuredClone(pdb), status });
  }
}

export function startDisruptionController(cluster: ClusterApi, onError: ControllerErrorHandler): () => void {
  const queue = new WorkQueue('disruption', (namespace) => reconcile(cluster, namespace), onError);
  const unsubscribe = cluster.store.subscribe((event) => {
    if (
      event.key === keys.pdbs ||
      event.key === keys.pods ||
      event.key === keys.deployments ||
      event.key === keys.statefulsets
    ) {
      queue.add(event.object.metadata.namespace ?? '');
    }
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
