/**
 * KEDA's ScaledObject controller, for what the scale fault relies on: a ScaledObject owns an HPA
 * (`keda-hpa-<name>`, or spec.advanced.horizontalPodAutoscalerConfig.name) whose minReplicas and
 * maxReplicas follow minReplicaCount (at least 1: KEDA itself does 0 ↔ 1) and maxReplicaCount
 * (default 100), re-made if someone deletes it. Paused as KEDA documents — annotation
 * `autoscaling.keda.sh/paused-replicas: "N"` scales the target to N and deletes the HPA,
 * `autoscaling.keda.sh/paused: "true"` deletes the HPA and leaves the count — and resumed when the
 * annotation goes, the HPA made again. Like KEDA's controller, it reconciles on changes of the
 * ScaledObject and of the HPA it owns, not of the target.
 * Not modelled: triggers are not evaluated (the lab has no event sources), so nothing is ever
 * activated or deactivated and the lab never scales a target to zero by itself; fallback.
 */
import { isTerminating, type Condition, type KubeObject, type Workload } from '../api/object-types.js';
import { keys, resourceByKey, type ResourceKey } from '../api/resource-types.js';
import { admit } from '../api/admission.js';
import { deleteObject } from '../api/deletion.js';
import type { ClusterApi } from '../api/request-context.js';
import type { HorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

const pausedReplicasAnnotation = 'autoscaling.keda.sh/paused-replicas';
const pausedAnnotation = 'autoscaling.keda.sh/paused';

interface ScaledObject extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: Array<{ type?: string; name?: string }>;
    advanced?: { horizontalPodAutoscalerConfig?: { name?: string } };
  };
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

const targetKeys: Record<string, ResourceKey> = { Deployment: keys.deployments, StatefulSet: keys.statefulsets };

function hpaNameOf(so: ScaledObject): string {
  return so.spec.advanced?.horizontalPodAutoscalerConfig?.name ?? `keda-hpa-${so.metadata.name}`;
}

/** The HPA KEDA makes for a ScaledObject: its bounds, one External metric per trigger, owned by it. */
function hpaFor(so: ScaledObject, kind: string): HorizontalPodAutoscaler {
  const triggers = so.spec.triggers ?? [];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: hpaNameOf(so),
      namespace: so.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'keda-operator', 'scaledobject.keda.sh/name': so.metadata.name },
      ownerReferences: [
        {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          name: so.metadata.name,
          uid: so.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
    },
    spec: {
      scaleTargetRef: {
        apiVersion: so.spec.scaleTargetRef.apiVersion ?? 'apps/v1',
        kind,
        name: so.spec.scaleTargetRef.name,
      },
      minReplicas: Math.max(1, so.spec.minReplicaCount ?? 0),
      maxReplicas: so.spec.maxReplicaCount ?? 100,
      ...(triggers.length > 0
        ? {
            metrics: triggers.map((trigger, index) => ({
              type: 'External',
              external: {
                metric: {
                  name: `s${index}-${trigger.type ?? 'trigger'}`,
                  selector: { matchLabels: { 'scaledobject.keda.sh/name': so.metadata.name } },
                },
                target: { type: 'AverageValue', averageValue: '1' },
              },
            })),
          }
        : {}),
    },
  };
}

function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  previous: Condition[] | undefined,
  now: string,
): Condition {
  const before = previous?.find((c) => c.type === type);
  const same = before?.status === status && before?.reason === reason;
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: same && before?.lastTransitionTime ? before.lastTransitionTime : now,
  };
}

function reconcile(cluster: ClusterApi, id: string): void {
  const [namespace = '', name = ''] = id.split('/');
  const so = cluster.store.peek<ScaledObject>(keys.scaledObjects, namespace, name);
  if (!so || isTerminating(so)) return; // its HPA goes with it (garbage collector: owner reference)
  const now = cluster.store.timestamp();
  const previous = so.status?.conditions;
  const kind = so.spec.scaleTargetRef.kind ?? 'Deployment';
  const key = targetKeys[kind];
  const target = key ? cluster.store.peek<Workload>(key, namespace, so.spec.scaleTargetRef.name) : undefined;
  const hpaName = hpaNameOf(so);
  const hpa = cluster.store.peek<HorizontalPodAutoscaler>(keys.hpas, namespace, hpaName);
  const annotations = so.metadata.annotations ?? {};
  const pausedAt = annotations[pausedReplicasAnnotation];
  const pausedCount = pausedAt !== undefined && /^\d+$/.test(pausedAt) ? Number(pausedAt) : undefined;
  const paused = pausedCount !== undefined || annotations[pausedAnnotation] === 'true';
  if (paused) {
    if (hpa && !isTerminating(hpa)) deleteObject(cluster.store, resourceByKey(keys.hpas), namespace, hpaName);
    if (pausedCount !== undefined && target && target.spec.replicas !== pausedCount)
      cluster.store.update(
        key!,
        { ...structuredClone(target), spec: { ...target.spec, replicas: pausedCount } },
        target.metadata.resourceVersion,
      );
  } else if (target) {
    const wanted = hpaFor(so, kind);
    if (!hpa) {
      admit(resourceByKey(keys.hpas), wanted, cluster.allocator);
      cluster.store.create(keys.hpas, wanted);
    } else if (
      hpa.spec.minReplicas !== wanted.spec.minReplicas ||
      hpa.spec.maxReplicas !== wanted.spec.maxReplicas ||
      hpa.spec.scaleTargetRef.name !== wanted.spec.scaleTargetRef.name
    ) {
      cluster.store.update(keys.hpas, { ...structuredClone(hpa), spec: { ...hpa.spec, ...wanted.spec } });
    }
  }
  const ready = target
    ? condition(
        'Ready',
        'True',
        'ScaledObjectReady',
        'ScaledObject is defined correctly and is ready for scaling',
        previous,
        now,
      )
    : condition(
        'Ready',
        'False',
        'ScaledObjectCheckFailed',
        `ScaledObject doesn't have correct scaleTargetRef specification: ${kind} ${so.spec.scaleTargetRef.name} not found`,
        previous,
        now,
      );
  const status: Record<string, unknown> = {
    scaleTargetKind: `apps/v1.${kind}`,
    scaleTargetGVKR: { group: 'apps', version: 'v1', kind, resource: `${kind.toLowerCase()}s` },
    ...(paused ? {} : { hpaName }),
    ...(pausedCount !== undefined ? { pausedReplicaCount: pausedCount } : {}),
    conditions: [
      ready,
      condition('Active', 'Unknown', 'TriggersNotEvaluated', 'the lab does not evaluate triggers', previous, now),
      paused
        ? condition('Paused', 'True', 'ScaledObjectPaused', 'ScaledObject is paused', previous, now)
        : condition(
            'Paused',
            'False',
            'ScaledObjectUnpaused',
            'pause annotation removed for ScaledObject',
            previous,
            now,
          ),
    ],
  };
  if (JSON.stringify(status) !== JSON.stringify(so.status))
    cluster.store.update(keys.scaledObjects, { ...structuredClone(so), status });
}

export function startScaledObjectController(cluster: ClusterApi, onError: ControllerErrorHandler): () => void {
  const queue = new WorkQueue('keda-scaledobject', (id) => reconcile(cluster, id), onError);
  const unsubscribe = cluster.store.subscribe((event) => {
    const { namespace = '' } = event.object.metadata;
    if (event.key === keys.scaledObjects && event.type !== 'DELETED')
      queue.add(`${namespace}/${event.object.metadata.name}`);
    if (event.key === keys.hpas)
      for (const owner of event.object.metadata.ownerReferences ?? [])
        if (owner.kind === 'ScaledObject') queue.add(`${namespace}/${owner.name}`);
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
