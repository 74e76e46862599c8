/**
 * What "the effect is observable" and "it is healthy again" mean, read from the API: workload
 * status, ready Pods and ready endpoints. Each check returns undefined when satisfied, or
 * what is still missing (for waitUntil's timeout message).
 */
import { isNotFound } from '../kube/api-error.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { Pod, WorkloadKind } from '../kube/types.js';

export function isPodReady(pod: Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (
    pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false
  );
}

/** DaemonSet Pods stay on a cordoned node by design; mirror (static) Pods cannot be evicted. */
export function isDaemonOrMirrorPod(pod: Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return true;
  return (
    pod.metadata?.ownerReferences?.some((owner) => owner.kind === 'DaemonSet' && owner.controller === true) ?? false
  );
}

export function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** The workload's status says exactly `replicas` replicas, all ready, for its latest spec. */
export async function checkWorkloadReplicas(
  api: ClusterApi,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  replicas: number,
): Promise<string | undefined> {
  const workload = await api.readWorkload(kind, namespace, name);
  const status = workload.status;
  const generation = workload.metadata?.generation ?? 0;
  const observed = status?.observedGeneration ?? 0;
  const current = status?.replicas ?? 0;
  const ready = status?.readyReplicas ?? 0;
  if (observed < generation)
    return `${kind} ${namespace}/${name}: generation ${generation} not observed yet (at ${observed})`;
  if (current !== replicas || ready !== replicas)
    return `${kind} ${namespace}/${name}: ${ready} ready of ${current} replicas, want ${replicas}`;
  return undefined;
}

/** Ready endpoints of a Service in this cluster; undefined when there is no such Service. */
export async function countReadyEndpoints(
  api: ClusterApi,
  namespace: string,
  service: string,
): Promise<number | undefined> {
  try {
    await api.readService(namespace, service);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const slices = await api.listEndpointSlices(namespace, service);
  let ready = 0;
  for (const slice of slices) {
    // An unset `ready` means ready (EndpointConditions: "nil should be interpreted as true").
    for (const endpoint of slice.endpoints ?? []) if (endpoint.conditions?.ready !== false) ready += 1;
  }
  return ready;
}

/** Every Deployment and StatefulSet of the namespaces has all its wanted replicas ready. */
export async function checkNamespacesReady(
  api: ClusterApi,
  namespaces: readonly string[],
): Promise<string | undefined> {
  const missing: string[] = [];
  for (const namespace of namespaces) {
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      for (const workload of await api.listWorkloads(kind, namespace)) {
        const wanted = workload.spec?.replicas ?? 1;
        const ready = workload.status?.readyReplicas ?? 0;
        if (ready < wanted)
          missing.push(`${kind} ${namespace}/${workload.metadata?.name ?? '?'} ${ready}/${wanted} ready`);
      }
    }
  }
  return missing.length > 0 ? missing.join('; ') : undefined;
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
