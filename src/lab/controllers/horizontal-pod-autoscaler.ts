/**
 * The horizontal-pod-autoscaler controller, as kube-controller-manager runs it, for what the lab
 * can show: it keeps its target's spec.replicas within minReplicas..maxReplicas, leaves a target
 * scaled to zero alone ("scaling is disabled"), records SuccessfulRescale Events and keeps a true
 * status. The lab serves no resource metrics (metrics.k8s.io), so inside the range it does what
 * the real controller does when it cannot read its metrics: nothing, with ScalingActive False
 * (FailedGetResourceMetric). Like the real one, it reconciles when an HPA changes and at every
 * sync period (15 s, KCM's --horizontal-pod-autoscaler-sync-period), not at every change of its
 * target: a target moved out of range comes back at the next sync. That is what a scale fault
 * must pin an HPA against.
 */
import { isTerminating, type Condition, type KubeObject, type Workload } from '../api/object-types.js';
import { keys, type ResourceKey } from '../api/resource-types.js';
import { recordEvent } from '../api/record-event.js';
import type { ClusterApi } from '../api/request-context.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: Array<{ type?: string; resource?: { name?: string } }>;
  };
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

const targetKeys: Record<string, ResourceKey> = { Deployment: keys.deployments, StatefulSet: keys.statefulsets };

type State = Pick<Condition, 'status' | 'reason' | 'message'>;

interface Decision {
  desired: number;
  /** Why it rescales (the real controller's words); undefined when it leaves the count alone. */
  rescale?: string;
  active: State;
  limited: State;
}

/** The real controller's choice for a target with `replicas` in spec, without metrics. */
function decideReplicas(replicas: number, minReplicas: number, maxReplicas: number, metric: string): Decision {
  const within: State = {
    status: 'False',
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
  if (replicas === 0 && minReplicas !== 0)
    return {
      desired: 0,
      active: {
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      },
      limited: within,
    };
  const noMetrics: State = {
    status: 'False',
    reason: 'FailedGetResourceMetric',
    message: `the HPA was unable to compute the replica count: failed to get ${metric} utilization: unable to get metrics for resource ${metric}: no metrics returned from resource metrics API`,
  };
  if (replicas > maxReplicas)
    return {
      desired: maxReplicas,
      rescale: 'Current number of replicas above Spec.MaxReplicas',
      active: noMetrics,
      limited: {
        status: 'True',
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      },
    };
  if (replicas < minReplicas)
    return {
      desired: minReplicas,
      rescale: 'Current number of replicas below Spec.MinReplicas',
      active: noMetrics,
      limited: {
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      },
    };
  return { desired: replicas, active: noMetrics, limited: within };
}

function condition(type: string, next: State, previous: Condition[] | undefined, now: string): Condition {
  const before = previous?.find((c) => c.type === type);
  const same = before?.status === next.status && before?.reason === next.reason;
  return { type, ...next, lastTransitionTime: same && before?.lastTransitionTime ? before.lastTransitionTime : now };
}

function reconcile(cluster: ClusterApi, id: string): void {
  const [namespace = '', name = ''] = id.split('/');
  const hpa = cluster.store.peek<HorizontalPodAutoscaler>(keys.hpas, namespace, name);
  if (!hpa || isTerminating(hpa)) return;
  const now = cluster.store.timestamp();
  const ref = hpa.spec.scaleTargetRef;
  const key = targetKeys[ref.kind];
  const target = key ? cluster.store.peek<Workload>(key, namespace, ref.name) : undefined;
  const previous = hpa.status?.conditions;
  let status: Record<string, unknown>;
  if (!target) {
    const plural =
      ref.kind === 'StatefulSet' ? 'statefulsets.apps' : ref.kind === 'Deployment' ? 'deployments.apps' : ref.kind;
    const able: State = {
      status: 'False',
      reason: 'FailedGetScale',
      message: `the HPA controller was unable to get the target's current scale: ${plural} "${ref.name}" not found`,
    };
    status = {
      ...hpa.status,
      currentReplicas: 0,
      desiredReplicas: 0,
      conditions: [condition('AbleToScale', able, previous, now)],
    };
  } else {
    const replicas = target.spec.replicas;
    const metric = hpa.spec.metrics?.find((m) => m.type === 'Resource')?.resource?.name ?? 'cpu';
    const decision = decideReplicas(replicas, hpa.spec.minReplicas ?? 1, hpa.spec.maxReplicas, metric);
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (decision.rescale) {
      // Through the store like a write to the scale subresource: a conflict is retried by the queue.
      cluster.store.update(
        key!,
        { ...structuredClone(target), spec: { ...target.spec, replicas: decision.desired } },
        target.metadata.resourceVersion,
      );
      lastScaleTime = now;
      recordEvent(cluster.store, hpa, {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: `New size: ${decision.desired}; reason: ${decision.rescale}`,
        component: 'horizontal-pod-autoscaler',
      });
    }
    const able: State = decision.rescale
      ? {
          status: 'True',
          reason: 'SucceededRescale',
          message: `the HPA controller was able to update the target scale to ${decision.desired}`,
        }
      : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    status = {
      ...hpa.status,
      observedGeneration: hpa.metadata.generation ?? 1,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas: (target.status?.replicas as number | undefined) ?? 0,
      desiredReplicas: decision.desired,
      conditions: [
        condition('AbleToScale', able, previous, now),
        condition('ScalingActive', decision.active, previous, now),
        condition('ScalingLimited', decision.limited, previous, now),
      ],
    };
  }
  if (JSON.stringify(status) !== JSON.stringify(hpa.status))
    cluster.store.update(keys.hpas, { ...structuredClone(hpa), status });
}

export function startHorizontalPodAutoscalerController(
  cluster: ClusterApi,
  syncPeriodMs: number,
  onError: ControllerErrorHandler,
): () => void {
  const queue = new WorkQueue('horizontal-pod-autoscaler', (id) => reconcile(cluster, id), onError);
  const idOf = (object: KubeObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  const unsubscribe = cluster.store.subscribe((event) => {
    // Its own status writes come back as events too; a reconcile of an unchanged HPA writes nothing.
    if (event.key === keys.hpas && event.type !== 'DELETED') queue.add(idOf(event.object));
  });
  const resync = setInterval(() => {
    for (const hpa of cluster.store.peekAll(keys.hpas)) queue.add(idOf(hpa));
  }, syncPeriodMs);
  resync.unref();
  return () => {
    clearInterval(resync);
    unsubscribe();
    queue.stop();
  };
}
