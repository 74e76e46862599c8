/**
 * Leftovers read from a cluster itself, for `chaos recover` without a journal: our
 * annotations on Deployments, StatefulSets, HPAs, KEDA ScaledObjects, Nodes and VirtualServices rebuild the
 * mutation records. Routes named `chaos-<run>-…` in a VirtualService that lost its
 * annotations are only suspects: removed when the run is known (from another leftover, a
 * journal, or --run), never on the name alone — a user may name a route "chaos-…" too.
 */
import { annotation, kedaPausedReplicas, readNumber } from '../../faults/annotations.js';
import { conflictAnnotation, readConflictMark, type ConflictMark } from '../../faults/conflict.js';
import { kubectl } from '../../faults/wait.js';
import type { Mutation } from '../../faults/mutation.js';
import { annotatedRoutes } from '../../faults/istio/virtual-service-patches.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { VirtualService } from '../../kube/types.js';
import { errorText } from '../../errors/errors.js';

export interface ScanResult {
  cluster: string;
  mutations: Mutation[];
  /** Routes that look like ours but carry no annotation: `{ runId, namespace, virtualService, route }`. */
  suspects: Array<{ cluster: string; runId: string; namespace: string; virtualService: string; routes: string[] }>;
  problems: string[];
  /** Objects marked `chaos.dev/conflict`: a revert found them changed by someone else; a person decides. */
  conflicts: Array<{ cluster: string; object: string; mark: ConflictMark; clear: string }>;
  /** What could not be listed at all (unreachable, 403): the scan of this cluster is incomplete. */
  unscanned: string[];
}

type Annotations = Record<string, string> | undefined;

function base(
  cluster: string,
  annotations: Annotations,
): { runId: string; faultId: string; cluster: string; expiresAt: string } | undefined {
  const runId = annotations?.[annotation.run];
  if (!runId) return undefined;
  return {
    runId,
    faultId: annotations[annotation.fault] ?? '?',
    cluster,
    expiresAt: annotations[annotation.expires] ?? '',
  };
}

/** An object a revert found changed by someone else (`chaos.dev/conflict`), with the command that clears the mark. */
function noteConflict(
  api: ClusterApi,
  result: ScanResult,
  object: { kind: string; namespace?: string; name?: string },
  annotations: Annotations,
): void {
  const mark = readConflictMark(annotations);
  if (!mark) return;
  const clear = `${kubectl(api.context, object.namespace)} annotate ${object.kind.toLowerCase()}/${object.name} ${conflictAnnotation}-`;
  result.conflicts.push({
    cluster: api.cluster,
    object: `${object.kind} ${object.namespace}/${object.name}`,
    mark,
    clear,
  });
}

async function scanWorkloads(api: ClusterApi, result: ScanResult): Promise<void> {
  for (const kind of ['Deployment', 'StatefulSet'] as const) {
    for (const workload of await api.listWorkloads(kind, undefined)) {
      const annotations = workload.metadata?.annotations;
      noteConflict(api, result, { kind, ...workload.metadata }, annotations);
      const common = base(api.cluster, annotations);
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

async function scanHpas(api: ClusterApi, result: ScanResult): Promise<void> {
  for (const hpa of await api.listHpas(undefined)) {
    const annotations = hpa.metadata?.annotations;
    noteConflict(api, result, { kind: 'HorizontalPodAutoscaler', ...hpa.metadata }, annotations);
    const common = base(api.cluster, annotations);
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
async function scanScaledObjects(api: ClusterApi, result: ScanResult): Promise<void> {
  for (const scaledObject of await api.listScaledObjects(undefined)) {
    const annotations = scaledObject.metadata.annotations;
    noteConflict(api, result, { kind: 'ScaledObject', ...scaledObject.metadata }, annotations);
    const common = base(api.cluster, annotations);
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

async function scanNodes(api: ClusterApi, result: ScanResult): Promise<void> {
  for (const node of await api.listNodes()) {
    const annotations = node.metadata?.annotations;
    const common = base(api.cluster, annotations);
    if (common && annotations?.[annotation.cordoned] === 'true')
      result.mutations.push({ ...common, kind: 'cordon', node: node.metadata?.name ?? '' });
  }
}

const routePattern = /^chaos-([a-z0-9]+)-(.+)$/;

function scanVirtualService(cluster: string, vs: VirtualService, result: ScanResult): void {
  const namespace = vs.metadata.namespace ?? '';
  const common = base(cluster, vs.metadata.annotations);
  if (common) {
    const routes = annotatedRoutes(vs);
    const faultId = vs.metadata.annotations?.[annotation.fault] ?? routePattern.exec(routes[0] ?? '')?.[2] ?? '?';
    const kind = vs.metadata.annotations?.[annotation.created] === 'true' ? 'virtualservice-create' : 'route-insert';
    result.mutations.push({ ...common, faultId, kind, namespace, virtualService: vs.metadata.name, routes });
    return;
  }
  const byRun = new Map<string, string[]>();
  for (const route of vs.spec.http ?? []) {
    const match = route.name ? routePattern.exec(route.name) : null;
    if (match?.[1]) byRun.set(match[1], [...(byRun.get(match[1]) ?? []), route.name!]);
  }
  for (const [runId, routes] of byRun)
    result.suspects.push({ cluster, runId, namespace, virtualService: vs.metadata.name, routes });
}

/** Every leftover of any run in one cluster. Each kind is scanned even if another fails. */
export async function scanCluster(api: ClusterApi): Promise<ScanResult> {
  const result: ScanResult = {
    cluster: api.cluster,
    mutations: [],
    suspects: [],
    problems: [],
    conflicts: [],
    unscanned: [],
  };
  const scans: Array<[string, () => Promise<void>]> = [
    ['Deployments and StatefulSets', () => scanWorkloads(api, result)],
    ['HorizontalPodAutoscalers', () => scanHpas(api, result)],
    ['Nodes', () => scanNodes(api, result)],
    ['KEDA ScaledObjects', () => scanScaledObjects(api, result)],
    [
      'VirtualServices',
      async () => {
        for (const vs of await api.listVirtualServices(undefined)) scanVirtualService(api.cluster, vs, result);
      },
    ],
  ];
  for (const [what, scan] of scans) {
    try {
      await scan();
    } catch (error) {
      result.problems.push(`could not scan ${what} of ${api.cluster}: ${errorText(error)}`);
      result.unscanned.push(`${what}: ${errorText(error)}`);
    }
  }
  return result;
}

/** A suspect route turned into a mutation, once its run is known to be ours. */
export function suspectMutation(suspect: ScanResult['suspects'][number]): Mutation {
  return {
    runId: suspect.runId,
    faultId: routePattern.exec(suspect.routes[0] ?? '')?.[2] ?? '?',
    cluster: suspect.cluster,
    expiresAt: '',
    kind: 'route-insert',
    namespace: suspect.namespace,
    virtualService: suspect.virtualService,
    routes: suspect.routes,
  };
}
