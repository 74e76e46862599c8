/**
 * Deployment and StatefulSet controllers: keep the number of Pods at spec.replicas, replace
 * Pods of an old template (surge one, then retire one, as RollingUpdate 25%/25% does for small
 * counts), create StatefulSet Pods in ordinal order, and keep status true to the Pods.
 */
import {
  controllerOf,
  isTerminating,
  podIsReady,
  type Condition,
  type Pod,
  type Workload,
} from '../api/object-types.js';
import { keys, resourceByKey } from '../api/resource-types.js';
import { recordEvent } from '../api/record-event.js';
import { deleteObject } from '../api/deletion.js';
import type { ClusterApi } from '../api/request-context.js';
import { createDeploymentPod, createStatefulSetPod, templateHash } from './pod-factory.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

function ownedPods(cluster: ClusterApi, workload: Workload): Pod[] {
  return cluster.store
    .peekAll<Pod>(keys.pods, workload.metadata.namespace)
    .filter((pod) => controllerOf(pod)?.uid === workload.metadata.uid);
}

/** The controller that acts for a kind, as `kubectl get events` names it. */
function componentOf(workload: Workload): string {
  return workload.kind === 'StatefulSet' ? 'statefulset-controller' : 'replicaset-controller';
}

function deletePod(cluster: ClusterApi, pod: Pod, owner: Workload): void {
  deleteObject(cluster.store, resourceByKey(keys.pods), pod.metadata.namespace, pod.metadata.name);
  recordEvent(cluster.store, owner, {
    type: 'Normal',
    reason: 'SuccessfulDelete',
    message:
      owner.kind === 'StatefulSet'
        ? `delete Pod ${pod.metadata.name} in StatefulSet ${owner.metadata.name} successful`
        : `Deleted pod: ${pod.metadata.name}`,
    component: componentOf(owner),
  });
}

function created(cluster: ClusterApi, pod: Pod, owner: Workload): void {
  recordEvent(cluster.store, owner, {
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message:
      owner.kind === 'StatefulSet'
        ? `create Pod ${pod.metadata.name} in StatefulSet ${owner.metadata.name} successful`
        : `Created pod: ${pod.metadata.name}`,
    component: componentOf(owner),
  });
}

/** The deployment controller's own record of a scale, worded like the real one (the lab has no ReplicaSets). */
function scaled(cluster: ClusterApi, deployment: Workload, hash: string, from: number, to: number): void {
  recordEvent(cluster.store, deployment, {
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message: `Scaled ${to > from ? 'up' : 'down'} replica set ${deployment.metadata.name}-${hash} to ${to} from ${from}`,
    component: 'deployment-controller',
  });
}

/** Which Pods to remove first when scaling down: unscheduled, then not ready, then newest. */
function removalOrder(a: Pod, b: Pod): number {
  const rank = (pod: Pod): number => (pod.spec.nodeName ? 0 : 2) + (podIsReady(pod) ? 0 : 1);
  return rank(b) - rank(a) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp);
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  previous: Condition[] | undefined,
  now: string,
): Condition {
  const status = ok ? 'True' : 'False';
  const before = previous?.find((c) => c.type === type);
  const since = before?.status === status ? (before.lastTransitionTime ?? now) : now;
  return {
    type,
    status,
    lastUpdateTime: before?.status === status ? (before.lastUpdateTime ?? now) : now,
    lastTransitionTime: since,
    reason,
    message,
  };
}

/** Status counts are omitempty in the real API: zero means absent. */
function counts(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== 0));
}

function writeStatus(cluster: ClusterApi, key: string, workload: Workload, status: Record<string, unknown>): void {
  if (JSON.stringify(status) === JSON.stringify(workload.status ?? {})) return;
  cluster.store.update(key, { ...structuredClone(workload), status });
}

function reconcileDeployment(cluster: ClusterApi, deployment: Workload): void {
  const hash = templateHash(deployment);
  const pods = ownedPods(cluster, deployment).filter((pod) => !isTerminating(pod));
  const current = pods.filter((pod) => pod.metadata.labels?.['pod-template-hash'] === hash);
  const old = pods.filter((pod) => pod.metadata.labels?.['pod-template-hash'] !== hash);
  const desired = deployment.spec.replicas;
  const maxSurge = Math.max(1, Math.ceil(desired * 0.25));
  const maxUnavailable = Math.floor(desired * 0.25);
  let made = 0;
  if (old.length > 0) {
    while (pods.length + made < desired + maxSurge && current.length + made < desired) {
      created(cluster, createDeploymentPod(cluster, deployment, hash), deployment);
      made += 1;
    }
    let ready = pods.filter(podIsReady).length;
    for (const pod of [...old].sort(removalOrder)) {
      if (podIsReady(pod)) {
        if (ready - 1 < desired - maxUnavailable || current.length + made === 0) continue;
        ready -= 1;
      }
      deletePod(cluster, pod, deployment);
    }
  } else if (current.length < desired) {
    scaled(cluster, deployment, hash, current.length, desired);
    for (let i = current.length; i < desired; i += 1)
      created(cluster, createDeploymentPod(cluster, deployment, hash), deployment);
  } else if (current.length > desired) {
    scaled(cluster, deployment, hash, current.length, desired);
    for (const pod of [...current].sort(removalOrder).slice(0, current.length - desired))
      deletePod(cluster, pod, deployment);
  }
  const live = ownedPods(cluster, deployment).filter((pod) => !isTerminating(pod));
  const ready = live.filter(podIsReady).length;
  const updated = live.filter((pod) => pod.metadata.labels?.['pod-template-hash'] === hash).length;
  const now = cluster.store.timestamp();
  const previous = deployment.status?.conditions as Condition[] | undefined;
  const available = ready >= desired - maxUnavailable;
  writeStatus(cluster, keys.deployments, deployment, {
    observedGeneration: deployment.metadata.generation ?? 1,
    ...counts({
      replicas: live.length,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, desired - ready),
    }),
    conditions: [
      condition(
        'Available',
        available,
        available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        previous,
        now,
      ),
      condition(
        'Progressing',
        true,
        'NewReplicaSetAvailable',
        `ReplicaSet "${deployment.metadata.name}-${hash}" has successfully progressed.`,
        previous,
        now,
      ),
    ],
  });
}

function ordinalOf(set: Workload, pod: Pod): number {
  const suffix = pod.metadata.name.slice(set.metadata.name.length + 1);
  return /^\d+$/.test(suffix) ? Number(suffix) : -1;
}

function reconcileStatefulSet(cluster: ClusterApi, set: Workload): void {
  const hash = templateHash(set);
  const revision = `${set.metadata.name}-${hash}`;
  const all = ownedPods(cluster, set);
  const byOrdinal = new Map(all.map((pod) => [ordinalOf(set, pod), pod]));
  const desired = set.spec.replicas;
  const parallel = set.spec.podManagementPolicy === 'Parallel';
  const settled = all.every((pod) => !isTerminating(pod) && podIsReady(pod));
  for (let ordinal = 0; ordinal < desired; ordinal += 1) {
    const pod = byOrdinal.get(ordinal);
    if (pod) {
      if (!parallel && (isTerminating(pod) || !podIsReady(pod))) break;
      continue;
    }
    created(cluster, createStatefulSetPod(cluster, set, ordinal, hash), set);
    if (!parallel) break;
  }
  const surplus = all
    .filter((pod) => ordinalOf(set, pod) >= desired && !isTerminating(pod))
    .sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  if (surplus.length > 0 && (parallel || all.every((pod) => !isTerminating(pod)))) {
    for (const pod of parallel ? surplus : surplus.slice(0, 1)) deletePod(cluster, pod, set);
  } else if (surplus.length === 0 && settled) {
    // Rolling update: retire the highest-ordinal Pod of an old revision once all are ready.
    const outdated = all
      .filter((pod) => pod.metadata.labels?.['controller-revision-hash'] !== revision)
      .sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a))[0];
    if (outdated) deletePod(cluster, outdated, set);
  }
  const live = ownedPods(cluster, set).filter((pod) => !isTerminating(pod));
  const ready = live.filter(podIsReady).length;
  const updated = live.filter((pod) => pod.metadata.labels?.['controller-revision-hash'] === revision).length;
  writeStatus(cluster, keys.statefulsets, set, {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: live.length,
    ...counts({ readyReplicas: ready, currentReplicas: updated, updatedReplicas: updated, availableReplicas: ready }),
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  });
}

/** Watches workloads and their Pods; one queue key per workload (`kind/namespace/name`). */
export function startWorkloadControllers(cluster: ClusterApi, onError: ControllerErrorHandler): () => void {
  const queue = new WorkQueue(
    'workloads',
    (id) => {
      const [kind, namespace, name] = id.split('/') as [string, string, string];
      const key = kind === 'Deployment' ? keys.deployments : keys.statefulsets;
      const workload = cluster.store.peek<Workload>(key, namespace, name);
      if (!workload || isTerminating(workload)) return;
      if (kind === 'Deployment') reconcileDeployment(cluster, workload);
      else reconcileStatefulSet(cluster, workload);
    },
    onError,
  );
  for (const key of [keys.deployments, keys.statefulsets]) {
    for (const workload of cluster.store.peekAll(key))
      queue.add(`${workload.kind}/${workload.metadata.namespace ?? ''}/${workload.metadata.name}`);
  }
  const unsubscribe = cluster.store.subscribe((event) => {
    if (event.key === keys.deployments || event.key === keys.statefulsets) {
      queue.add(`${event.object.kind}/${event.object.metadata.namespace ?? ''}/${event.object.metadata.name}`);
    } else if (event.key === keys.pods) {
      const owner = controllerOf(event.object);
      if (owner && (owner.kind === 'Deployment' || owner.kind === 'StatefulSet'))
        queue.add(`${owner.kind}/${event.object.metadata.namespace ?? ''}/${owner.name}`);
    }
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
