/**
 * What `scale` checks before anything changes: the autoscalers that hold a workload (HPA, KEDA
 * ScaledObject), whether another run holds any of them, and whether a scale-down would delete
 * a StatefulSet's volumes. Read only.
 */
import type { ScaledObject } from '../../kube/keda-calls.js';
import type { Deployment, HorizontalPodAutoscaler, StatefulSet, WorkloadKind } from '../../kube/types.js';
import { annotation, kedaPausedReplicas } from '../annotations.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { Refusal } from '../fault-plugin.js';

export interface Autoscalers {
  scaledObject?: ScaledObject;
  /** A plain HPA (not KEDA's own, which pausing the ScaledObject takes care of). */
  hpa?: HorizontalPodAutoscaler;
}

export async function findAutoscalers(
  api: ClusterApi,
  namespace: string,
  kind: WorkloadKind,
  name: string,
): Promise<Autoscalers> {
  const scaledObject = (await api.listScaledObjects(namespace)).find(
    (candidate) =>
      (candidate.spec?.scaleTargetRef?.kind ?? 'Deployment') === kind && candidate.spec?.scaleTargetRef?.name === name,
  );
  const hpa = (await api.listHpas(namespace)).find(
    (candidate) =>
      candidate.spec?.scaleTargetRef.kind === kind &&
      candidate.spec.scaleTargetRef.name === name &&
      !(candidate.metadata?.ownerReferences ?? []).some((owner) => owner.kind === 'ScaledObject'),
  );
  return { scaledObject, hpa };
}

/**
 * Why this workload must not be scaled to `replicas` as written: volumes deleted by a
 * scale-down, or another run's hold on it or on its autoscalers. `override` names the scenario field.
 */
export async function checkWorkloadScale(
  api: ClusterApi,
  options: {
    runId: string;
    kind: WorkloadKind;
    namespace: string;
    workload: Deployment | StatefulSet;
    replicas: number;
    allowDataLoss: boolean;
    /** The scenario field that allows data loss, e.g. `allowDataLoss: true`. */
    override: string;
  },
): Promise<Refusal[]> {
  const { kind, namespace, workload, replicas } = options;
  const name = workload.metadata?.name ?? '';
  const where = `in ${api.cluster}`;
  const object = `${kind} ${namespace}/${name} ${where}`;
  const refusals: Refusal[] = [];
  const holder = workload.metadata?.annotations?.[annotation.run];
  if (holder && holder !== options.runId) {
    refusals.push({
      object,
      reason: `already changed by chaos run ${holder} (fault ${workload.metadata?.annotations?.[annotation.fault] ?? '?'}); a run died without reverting: \`chaos recover\` puts it back`,
    });
  }
  const current = workload.spec?.replicas ?? 1;
  const retention = (workload.spec as StatefulSet['spec'])?.persistentVolumeClaimRetentionPolicy?.whenScaled;
  if (kind === 'StatefulSet' && replicas < current && retention === 'Delete' && !options.allowDataLoss) {
    refusals.push({
      object,
      reason: `persistentVolumeClaimRetentionPolicy.whenScaled is Delete: scaling ${current} → ${replicas} deletes the PersistentVolumeClaims of the removed Pods, which the revert cannot bring back`,
      override: options.override,
    });
  }
  const { scaledObject, hpa } = await findAutoscalers(api, namespace, kind, name);
  const hpaHolder = hpa?.metadata?.annotations?.[annotation.run];
  if (hpa && replicas > 0 && hpaHolder && hpaHolder !== options.runId) {
    refusals.push({
      object: `HorizontalPodAutoscaler ${namespace}/${hpa.metadata?.name ?? '?'} ${where}`,
      reason: `already pinned by chaos run ${hpaHolder}: its min/max now are that run's pin, not the original; \`chaos recover\` puts it back`,
    });
  }
  const paused = scaledObject?.metadata.annotations?.[kedaPausedReplicas];
  if (scaledObject && paused !== undefined) {
    const by = scaledObject.metadata.annotations?.[annotation.run];
    refusals.push({
      object: `ScaledObject ${namespace}/${scaledObject.metadata.name} ${where}`,
      reason: `already paused at ${paused} replicas${by ? ` by chaos run ${by}` : ' by someone else'} (${kedaPausedReplicas}): not ours to resume`,
    });
  }
  return refusals;
}

/** Base fields of a mutation record for this fault in this cluster. */
