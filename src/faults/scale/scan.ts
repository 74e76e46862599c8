/**
 * Leftovers of the scale kind read from a cluster itself (for `chaos recover` without a journal and
 * for the guard): our annotations on Deployments, StatefulSets, HPAs and KEDA ScaledObjects rebuild
 * the mutation records.
 */
import { annotation, kedaPausedReplicas, readNumber, runMarks } from '../annotations.js';
import type { LeftoverScan, LeftoverSink } from '../fault-kind.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { ScaleKindMutation } from './mutations.js';

async function scanWorkloads(api: ClusterApi, result: LeftoverSink<ScaleKindMutation>): Promise<void> {
  for (const kind of ['Deployment', 'StatefulSet'] as const) {
    for (const workload of await api.listWorkloads(kind, undefined)) {
      const annotations = workload.metadata?.annotations;
      const common = runMarks(api.cluster, annotations);
      const original = readNumber(annotations, annotation.originalReplicas);
      const replicas = readNumber(annotations, annotation.replicas);
      if (!common) continue;
      if (original === undefined || replicas === undefined) {
        result.problems.push(
          `${kind} ${workload.metadata?.namespace}/${workload.metadata?.name} in ${api.cluster} has ${annotation.run}=${common.runId} but no readable ${annotation.originalReplicas}: fix it by hand`,
        );
        continue;
      }
      result.mutations.push({
        ...common,
        kind: 'scale',
        namespace: workload.metadata?.namespace ?? '',
        workload: kind,
        name: workload.metadata?.name ?? '',
        originalReplicas: original,
        replicas,
      });
    }
  }
}

async function scanHpas(api: ClusterApi, result: LeftoverSink<ScaleKindMutation>): Promise<void> {
  for (const hpa of await api.listHpas(undefined)) {
    const annotations = hpa.metadata?.annotations;
    const common = runMarks(api.cluster, annotations);
    if (!common) continue;
    try {
      const original = JSON.parse(annotations?.[annotation.originalHpa] ?? '') as {
        minReplicas: number | null;
        maxReplicas: number;
      };
      result.mutations.push({
        ...common,
        kind: 'hpa-pin',
        namespace: hpa.metadata?.namespace ?? '',
        name: hpa.metadata?.name ?? '',
        originalMinReplicas: original.minReplicas,
        originalMaxReplicas: original.maxReplicas,
        replicas: hpa.spec?.maxReplicas ?? 0,
      });
    } catch {
      result.problems.push(
        `HorizontalPodAutoscaler ${hpa.metadata?.namespace}/${hpa.metadata?.name} in ${api.cluster} has no readable ${annotation.originalHpa}: fix it by hand`,
      );
    }
  }
}

/** KEDA ScaledObjects a run paused (its annotations and KEDA's paused-replicas). */
async function scanScaledObjects(api: ClusterApi, result: LeftoverSink<ScaleKindMutation>): Promise<void> {
  for (const scaledObject of await api.listScaledObjects(undefined)) {
    const annotations = scaledObject.metadata.annotations;
    const common = runMarks(api.cluster, annotations);
    const paused = readNumber(annotations, kedaPausedReplicas);
    if (!common || paused === undefined) continue;
    result.mutations.push({
      ...common,
      kind: 'keda-pause',
      namespace: scaledObject.metadata.namespace ?? '',
      name: scaledObject.metadata.name,
      replicas: paused,
    });
  }
}

export const scaleScans: readonly LeftoverScan[] = [
  { what: 'Deployments and StatefulSets', watches: ['deployments', 'statefulsets'], scan: scanWorkloads },
  { what: 'HorizontalPodAutoscalers', watches: ['hpas'], scan: scanHpas },
  { what: 'KEDA ScaledObjects', watches: [], scan: scanScaledObjects },
];
