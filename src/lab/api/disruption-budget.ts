/**
 * PodDisruptionBudget arithmetic, shared by the disruption controller (status) and the
 * eviction subresource (the decision), as in pkg/controller/disruption and the eviction REST.
 */
import {
  controllerOf,
  isTerminating,
  podIsReady,
  type KubeObject,
  type Pod,
  type PodDisruptionBudget,
} from './object-types.js';
import { keys } from './resource-types.js';
import { selectorMatches } from './selectors.js';
import type { ObjectStore } from './store.js';

export interface BudgetStatus {
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
}

function resolve(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace('%', ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

function podsOf(store: ObjectStore, pdb: PodDisruptionBudget): Pod[] {
  // An empty selector selects every Pod in the namespace under policy/v1.
  return store
    .peekAll<Pod>(keys.pods, pdb.metadata.namespace)
    .filter((pod) => selectorMatches(pdb.spec.selector, pod.metadata.labels));
}

/** Expected pods: the owners' desired scale when a percentage or maxUnavailable needs it. */
function expectedCount(store: ObjectStore, pdb: PodDisruptionBudget, pods: readonly Pod[]): number {
  if (typeof pdb.spec.minAvailable === 'number') return pods.length;
  const owners = new Map<string, number>();
  for (const pod of pods) {
    const owner = controllerOf(pod);
    if (!owner) continue;
    const key = owner.kind === 'StatefulSet' ? keys.statefulsets : keys.deployments;
    const workload = store.peek<KubeObject & { spec?: { replicas?: number } }>(key, pod.metadata.namespace, owner.name);
    if (workload) owners.set(`${owner.kind}/${owner.name}`, workload.spec?.replicas ?? 1);
  }
  return owners.size > 0 ? [...owners.values()].reduce((a, b) => a + b, 0) : pods.length;
}

/** Pods the eviction subresource has let go but the controller has not yet seen disappear. */
export function disruptedPods(pdb: PodDisruptionBudget): Record<string, string> {
  const value = pdb.status?.disruptedPods;
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

export function budgetStatus(store: ObjectStore, pdb: PodDisruptionBudget): BudgetStatus {
  const pods = podsOf(store, pdb);
  const expectedPods = expectedCount(store, pdb, pods);
  const disrupted = disruptedPods(pdb);
  const currentHealthy = pods.filter(
    (pod) => !isTerminating(pod) && podIsReady(pod) && !(pod.metadata.name in disrupted),
  ).length;
  let desiredHealthy = 0;
  if (pdb.spec.minAvailable !== undefined) desiredHealthy = resolve(pdb.spec.minAvailable, expectedPods, true);
  else if (pdb.spec.maxUnavailable !== undefined)
    desiredHealthy = Math.max(0, expectedPods - resolve(pdb.spec.maxUnavailable, expectedPods, true));
  return {
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
    expectedPods,
  };
}

/**
 * The eviction subresource's decision, from the budget's stored status as the real server
 * reads it (pkg/registry/core/pod/storage/eviction.go): a budget the controller has not yet
 * observed answers "still being processed" (retry after 10 s); no disruptions left answers 429.
 */
export type EvictionDecision =
  | { kind: 'allow'; consume?: PodDisruptionBudget }
  | { kind: 'blocked'; message: string; retryAfterSeconds: number }
  | { kind: 'forbidden'; pdb: string; message: string }
  | { kind: 'misconfigured'; message: string };

export function decideEviction(store: ObjectStore, pod: Pod): EvictionDecision {
  const budgets = store
    .peekAll<PodDisruptionBudget>(keys.pdbs, pod.metadata.namespace)
    .filter((pdb) => selectorMatches(pdb.spec.selector, pod.metadata.labels));
  if (budgets.length === 0) return { kind: 'allow' };
  if (budgets.length > 1)
    return {
      kind: 'misconfigured',
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    };
  // Pods that are not running cost no availability; the real server lets them go.
  const phase = pod.status?.phase;
  if (phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || isTerminating(pod))
    return { kind: 'allow' };
  const pdb = budgets[0] as PodDisruptionBudget;
  const status = pdb.status ?? {};
  const currentHealthy = status.currentHealthy ?? 0;
  const desiredHealthy = status.desiredHealthy ?? 0;
  if (
    !podIsReady(pod) &&
    (pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (currentHealthy >= desiredHealthy && desiredHealthy > 0))
  )
    return { kind: 'allow' };
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
    return {
      kind: 'blocked',
      message: `The disruption budget ${pdb.metadata.name} is still being processed by the server.`,
      retryAfterSeconds: 10,
    };
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) return { kind: 'forbidden', pdb: pdb.metadata.name, message: 'pdb disruptions allowed is negative' };
  if (allowed === 0) {
    return {
      kind: 'blocked',
      message: `The disruption budget ${pdb.metadata.name} needs ${desiredHealthy} healthy pods and has ${currentHealthy} currently`,
      retryAfterSeconds: 0,
    };
  }
  const consume = structuredClone(pdb);
  consume.status = {
    ...consume.status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...disruptedPods(pdb), [pod.metadata.name]: store.timestamp() },
  };
  return { kind: 'allow', consume };
}
