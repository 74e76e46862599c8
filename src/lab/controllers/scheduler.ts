/**
 * The scheduler: binds each unbound Pod to the schedulable Node with the fewest Pods, or
 * leaves it Pending with PodScheduled=False (reason Unschedulable), as kube-scheduler does
 * when every Node is cordoned. Any Node change re-runs it, so uncordon brings Pods back.
 */
import { isTerminating, type Condition, type Node, type Pod } from '../api/object-types.js';
import { keys } from '../api/resource-types.js';
import type { ClusterApi } from '../api/request-context.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';
import { recordEvent } from '../api/record-event.js';

function nodeIsReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function withCondition(conditions: Condition[] | undefined, next: Condition): Condition[] {
  const others = (conditions ?? []).filter((c) => c.type !== next.type);
  const before = conditions?.find((c) => c.type === next.type);
  if (before && before.status === next.status && before.reason === next.reason && before.message === next.message)
    return conditions ?? [];
  return [...others, next];
}

function schedulePending(cluster: ClusterApi): void {
  const nodes = cluster.store.peekAll<Node>(keys.nodes);
  const eligible = nodes.filter(
    (node) => node.spec?.unschedulable !== true && nodeIsReady(node) && !isTerminating(node),
  );
  const pods = cluster.store.peekAll<Pod>(keys.pods);
  const load = new Map(eligible.map((node) => [node.metadata.name, 0]));
  for (const pod of pods)
    if (pod.spec.nodeName && load.has(pod.spec.nodeName))
      load.set(pod.spec.nodeName, (load.get(pod.spec.nodeName) ?? 0) + 1);
  const now = cluster.store.timestamp();
  for (const pod of pods) {
    if (pod.spec.nodeName || isTerminating(pod)) continue;
    const target = [...load.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0];
    const next = structuredClone(pod);
    next.status ??= {};
    const before = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (target) {
      recordEvent(cluster.store, pod, {
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${target[0]}`,
        component: 'default-scheduler',
      });
      next.spec.nodeName = target[0];
      load.set(target[0], target[1] + 1);
      next.status.conditions = withCondition(next.status.conditions, {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: now,
      });
    } else {
      const cordoned = nodes.filter((node) => node.spec?.unschedulable === true).length;
      const why =
        cordoned > 0
          ? `${cordoned} node(s) were unschedulable`
          : `${nodes.length - eligible.length} node(s) were not ready`;
      next.status.phase = 'Pending';
      next.status.conditions = withCondition(next.status.conditions, {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: now,
        reason: 'Unschedulable',
        message: `0/${nodes.length} nodes are available: ${why}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`,
      });
    }
    const after = next.status.conditions?.find((c) => c.type === 'PodScheduled');
    // Recorded when it changes, not on every pass over a Pod that stays Pending.
    if (!target && after && (before?.status !== 'False' || before.message !== after.message))
      recordEvent(cluster.store, pod, {
        type: 'Warning',
        reason: 'FailedScheduling',
        message: after.message ?? 'no node available',
        component: 'default-scheduler',
      });
    cluster.store.update(keys.pods, next);
  }
}

export function startScheduler(cluster: ClusterApi, onError: ControllerErrorHandler): () => void {
  const queue = new WorkQueue('scheduler', () => schedulePending(cluster), onError);
  queue.add('all');
  const unsubscribe = cluster.store.subscribe((event) => {
    if (event.key === keys.nodes) queue.add('all');
    else if (event.key === keys.pods && event.type !== 'DELETED' && !(event.object as Pod).spec.nodeName)
      queue.add('all');
    else if (event.key === keys.pods && event.type === 'DELETED') queue.add('all');
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
