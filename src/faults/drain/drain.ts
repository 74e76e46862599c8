/**
 * `drain`, as `kubectl drain` does it, and no more.
 *
 * Whole cluster (no `namespaces`): cordon each schedulable Node (fieldManager `chaos`, and our
 * annotations; Nodes already unschedulable are not ours), then evict the Pods through policy/v1
 * Eviction — a 429 is a PodDisruptionBudget saying "not now": wait and retry, as kubectl does —
 * skipping DaemonSet and mirror Pods.
 *
 * With `namespaces`: no Node is cordoned — other teams keep scheduling. The namespaces'
 * Deployments and StatefulSets in this cluster are scaled to zero, each with its own undo record
 * and annotations (exactly the `scale` fault: KEDA paused, one JSON patch), which keeps their
 * Pods off the cluster for the phase; Pods no controller of those kinds manages are evicted.
 * (A run-owned taint would not keep them off — Pods without the toleration are simply not
 * scheduled anywhere in a single-cluster view; a ResourceQuota `pods: 0` would, but leaves
 * ReplicaSet controllers in exponential back-off, so the revert would take minutes. A
 * scale-to-zero is undone exactly and at once. PodDisruptionBudgets do not apply to a scale.)
 *
 * Refused, as kubectl refuses (in plan, validate --env and run): Pods no controller manages,
 * unless `force: true`; Pods with emptyDir volumes, unless `deleteEmptyDirData: true`;
 * StatefulSets whose scale-down deletes volumes, unless `allowDataLoss: true`. Never touched,
 * whatever the scenario says: the environment's protected Pods (kube-system, the Istio control
 * plane and gateways, the harness and guard, labelled `app.kubernetes.io/name=chaos`).
 *
 * The revert uncordons only Nodes still cordoned by this run: our annotation on the Node, and —
 * where the server tracks field ownership — `spec.unschedulable` still owned by our field
 * manager. A Node someone else cordoned again meanwhile (uncordon + cordon, e.g. an upgrade)
 * stays cordoned; only our annotations are removed.
 */
import { errorText, HarnessError } from '../../errors/errors.js';
import { defaultProtectedPods, type ProtectedPods } from '../../environment/types.js';
import { isNotFound, isTooManyRequests, KubeApiError } from '../../kube/api-error.js';
import { chaosFieldManager } from '../../kube/pod-node-calls.js';
import type { Pod, WorkloadKind } from '../../kube/types.js';
import type { DrainFault } from './schema.js';
import { annotation, runAnnotations } from '../annotations.js';
import type { CheckContext, FaultContext, FaultPlugin, FaultTarget, KubeContext, Refusal } from '../fault-plugin.js';
import type { CordonMutation, DrainMutation, EvictMutation } from './mutations.js';
import { refusalError } from '../refusal.js';
import { scaleWorkload } from '../scale/scale.js';
import { checkWorkloadScale } from '../scale/checks.js';
import { hpaPinHandler, kedaPauseHandler, scaleHandler } from '../scale/handlers.js';
import { isDaemonOrMirrorPod, isFinished, isPodReady } from '../readiness.js';
import { revertMutations, verifyMutationsReverted, waitUntil } from '../wait.js';
import { cordonHandler, evictHandler } from './handlers.js';

const handlers = {
  cordon: cordonHandler,
  evict: evictHandler,
  scale: scaleHandler,
  'hpa-pin': hpaPinHandler,
  'keda-pause': kedaPauseHandler,
};

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function protectedPods(target: FaultTarget): ProtectedPods {
  return target.protectedPods ?? defaultProtectedPods;
}

/** Why a Pod is never evicted, or undefined. */
function protection(pod: Pod, rules: ProtectedPods): string | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  if (rules.namespaces.includes(namespace)) return `namespace ${namespace} is protected`;
  const labels = pod.metadata?.labels ?? {};
  const label = rules.labels.find((rule) => {
    const [key = '', value = ''] = rule.split('=');
    return labels[key] === value;
  });
  return label ? `label ${label} is protected` : undefined;
}

function controllerOf(pod: Pod): { kind: string; name: string } | undefined {
  const owner = pod.metadata?.ownerReferences?.find((candidate) => candidate.controller === true);
  return owner ? { kind: owner.kind, name: owner.name } : undefined;
}

function hasEmptyDir(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((volume) => volume.emptyDir !== undefined);
}

/** Pods the drain would remove: running somewhere, not finished, not DaemonSet/mirror, not protected. */
function inScope(pod: Pod, namespaces: readonly string[] | undefined, rules: ProtectedPods): boolean {
  if (!pod.spec?.nodeName || pod.metadata?.deletionTimestamp || isFinished(pod) || isDaemonOrMirrorPod(pod))
    return false;
  if (protection(pod, rules) !== undefined) return false;
  return namespaces === undefined || namespaces.includes(pod.metadata?.namespace ?? '');
}

async function listInScope(fault: DrainFault, api: CheckContext['api'], rules: ProtectedPods): Promise<Pod[]> {
  const pods = fault.namespaces
    ? (await Promise.all(fault.namespaces.map((namespace) => api.listPods(namespace)))).flat()
    : await api.listPods(undefined);
  return pods.filter((pod) => inScope(pod, fault.namespaces, rules));
}

/** Workloads a namespace drain scales to zero: Deployments and StatefulSets with Pods, not protected. */
async function listNamespaceWorkloads(
  fault: DrainFault,
  api: CheckContext['api'],
  rules: ProtectedPods,
): Promise<Array<{ kind: WorkloadKind; namespace: string; workload: Awaited<ReturnType<typeof api.readWorkload>> }>> {
  const found = [];
  for (const namespace of fault.namespaces ?? []) {
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      for (const workload of await api.listWorkloads(kind, namespace)) {
        const template = { metadata: { namespace, labels: workload.spec?.template.metadata?.labels ?? {} } };
        if (protection(template as Pod, rules) !== undefined) continue;
        if ((workload.spec?.replicas ?? 1) === 0) continue;
        found.push({ kind, namespace, workload });
      }
    }
  }
  return found;
}

/** The Pods (and, for a namespace drain, StatefulSets) kubectl drain would refuse, and why. */
async function checkDrain(fault: DrainFault, ctx: CheckContext): Promise<Refusal[]> {
  const { api, target } = ctx;
  const rules = protectedPods(target);
  const refusals: Refusal[] = [];
  for (const namespace of fault.namespaces ?? []) {
    if (rules.namespaces.includes(namespace))
      refusals.push({
        object: `namespace ${namespace} in ${target.cluster}`,
        reason: 'is protected (the control plane, the gateways or the harness): a drain never removes its Pods',
      });
  }
  for (const pod of await listInScope(fault, api, rules)) {
    const object = `Pod ${podName(pod)} in ${target.cluster}`;
    if (!controllerOf(pod) && !fault.force)
      refusals.push({
        object,
        reason: 'no controller manages it: once removed it is gone for good',
        override: 'force: true',
      });
    if (hasEmptyDir(pod) && !fault.deleteEmptyDirData)
      refusals.push({
        object,
        reason: 'it has emptyDir volume(s): their data is deleted with the Pod',
        override: 'deleteEmptyDirData: true',
      });
  }
  if (fault.namespaces) {
    for (const { kind, namespace, workload } of await listNamespaceWorkloads(fault, api, rules)) {
      refusals.push(
        ...(await checkWorkloadScale(api, {
          runId: target.runId,
          kind,
          namespace,
          workload,
          replicas: 0,
          allowDataLoss: fault.allowDataLoss,
          override: 'allowDataLoss: true',
        })),
      );
    }
  }
  return refusals;
}

async function cordonAll(fault: DrainFault, ctx: FaultContext): Promise<void> {
  const { api, target } = ctx;
  const nodes = await api.listNodes();
  for (const node of [...nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const name = node.metadata?.name;
    // Already unschedulable (by someone, or by another fault of this run): not ours to uncordon.
    if (!name || node.spec?.unschedulable) continue;
    const mutation: CordonMutation = {
      runId: target.runId,
      faultId: fault.id,
      cluster: target.cluster,
      expiresAt: ctx.expiresAt,
      kind: 'cordon',
      node: name,
    };
    await ctx.mutate(mutation, () =>
      api.mergePatchNode(name, {
        metadata: {
          annotations: {
            ...runAnnotations(target.runId, fault.id, ctx.expiresAt, ctx.now()),
            [annotation.cordoned]: 'true',
          },
        },
        spec: { unschedulable: true },
      }),
    );
  }
}

/** Evicts one Pod; on 429 waits and tries again until the PDB allows it or time runs out. */
async function evictOne(pod: Pod, ctx: FaultContext, deadline: number): Promise<void> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await ctx.api.evictPod(namespace, name, { uid });
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isTooManyRequests(error)) throw error;
      // The server's Retry-After (sent while a budget is being processed) is a floor, bounded.
      const pause = Math.min(
        30_000,
        Math.max(ctx.timing.evictionRetryMs, error instanceof KubeApiError ? (error.retryAfterMs ?? 0) : 0),
      );
      if (ctx.signal.aborted || ctx.now() + pause > deadline) {
        throw new HarnessError(
          `Pod ${namespace}/${name} in ${ctx.target.cluster} could not be evicted after ${attempt + 1} tries: ${errorText(error)}`,
          'a PodDisruptionBudget kept refusing; check its minAvailable / maxUnavailable',
        );
      }
      await ctx.sleep(pause);
      try {
        const current = await ctx.api.readPod(namespace, name);
        if (current.metadata?.uid !== uid || current.metadata?.deletionTimestamp) return;
      } catch (readError) {
        if (isNotFound(readError)) return;
      }
    }
  }
}

async function evictAll(fault: DrainFault, ctx: FaultContext, pods: readonly Pod[]): Promise<void> {
  if (pods.length === 0) return;
  const refs = pods.map((pod) => ({ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' }));
  const namespaces = [...new Set(refs.map((ref) => ref.namespace))].sort();
  const mutation: EvictMutation = {
    runId: ctx.target.runId,
    faultId: fault.id,
    cluster: ctx.target.cluster,
    expiresAt: ctx.expiresAt,
    kind: 'evict',
    pods: refs,
    namespaces,
  };
  const deadline = ctx.now() + ctx.timing.verifyTimeoutMs;
  await ctx.mutate(mutation, async () => {
    // One eviction loop per Pod, like kubectl; all settle before a failure is reported.
    const results = await Promise.allSettled(pods.map((pod) => evictOne(pod, ctx, deadline)));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw failed[0]!.reason;
  });
}

const scaledKinds = new Set(['ReplicaSet', 'StatefulSet']);

async function applyDrain(fault: DrainFault, ctx: FaultContext): Promise<undefined> {
  const refusals = await checkDrain(fault, ctx);
  if (refusals.length > 0)
    throw refusalError(
      `drain ${fault.namespaces ? fault.namespaces.join(', ') : 'every namespace'} in ${ctx.target.cluster}`,
      refusals,
    );
  const rules = protectedPods(ctx.target);
  if (!fault.namespaces) {
    await cordonAll(fault, ctx);
    await evictAll(fault, ctx, await listInScope(fault, ctx.api, rules));
    return undefined;
  }
  for (const { kind, namespace, workload } of await listNamespaceWorkloads(fault, ctx.api, rules))
    await scaleWorkload(ctx, fault.id, kind, namespace, workload.metadata?.name ?? '', 0);
  // What no Deployment or StatefulSet will take away: unmanaged Pods (force), Jobs, bare ReplicaSets.
  const left = (await listInScope(fault, ctx.api, rules)).filter((pod) => {
    const owner = controllerOf(pod);
    return !owner || !scaledKinds.has(owner.kind);
  });
  await evictAll(fault, ctx, left);
  return undefined;
}

async function checkDrained(fault: DrainFault, ctx: FaultContext): Promise<string | undefined> {
  if (!fault.namespaces) {
    const nodes = await ctx.api.listNodes();
    const schedulable = nodes.filter((node) => !node.spec?.unschedulable).map((node) => node.metadata?.name);
    if (schedulable.length > 0) return `Node(s) still schedulable: ${schedulable.join(', ')}`;
  }
  const rules = protectedPods(ctx.target);
  const pods = fault.namespaces
    ? (await Promise.all(fault.namespaces.map((namespace) => ctx.api.listPods(namespace)))).flat()
    : await ctx.api.listPods(undefined);
  const serving = pods
    .filter((pod) => !isDaemonOrMirrorPod(pod) && protection(pod, rules) === undefined && isPodReady(pod))
    .map(podName);
  return serving.length > 0 ? `${serving.length} Pod(s) still ready: ${serving.slice(0, 5).join(', ')}` : undefined;
}

export const drain: FaultPlugin<DrainFault, DrainMutation> = {
  type: 'drain',
  plan: (fault, target) => {
    const rules = protectedPods(target);
    const overrides = [
      fault.force
        ? 'force: true — Pods without a controller are removed for good'
        : 'refuse (listing them) Pods without a controller (override: force: true)',
      fault.deleteEmptyDirData
        ? 'deleteEmptyDirData: true — Pods with emptyDir volumes lose that data'
        : 'refuse (listing them) Pods with emptyDir volumes (override: deleteEmptyDirData: true)',
      `never touch Pods in ${rules.namespaces.join(', ')} or labelled ${rules.labels.join(', ')}; skip DaemonSet and mirror Pods`,
    ];
    if (fault.namespaces) {
      return [
        ...overrides,
        `no Node is cordoned: other namespaces keep scheduling`,
        `scale every Deployment and StatefulSet of ${fault.namespaces.join(', ')} in ${target.cluster} to 0 (each as the scale fault does: journal, ONE JSON patch with a resourceVersion test and annotations ${annotation.originalReplicas}, …; KEDA ScaledObjects paused); refuse StatefulSets whose whenScaled is Delete${fault.allowDataLoss ? ' (allowed here: allowDataLoss: true)' : ' (override: allowDataLoss: true)'}`,
        'evict what no Deployment or StatefulSet removes (unmanaged Pods with force, Jobs) through policy/v1 Eviction, retrying on 429',
        `verify: no Pod of ${fault.namespaces.join(', ')} ready in ${target.cluster}`,
        'revert: restore every recorded replica count (refusing to overwrite a count someone else changed), then wait until the workloads are ready',
      ];
    }
    return [
      ...overrides,
      `cordon every schedulable Node (PATCH spec.unschedulable=true, fieldManager ${chaosFieldManager}, annotation ${annotation.cordoned}; the Nodes already unschedulable are left alone)`,
      'evict every other Pod through policy/v1 Eviction, retrying on 429 from a PodDisruptionBudget',
      'verify: every Node unschedulable and no Pod in scope ready',
      `revert: uncordon only the Nodes still cordoned by this run (our annotation, spec.unschedulable owned by ${chaosFieldManager}); a Node someone else cordoned again stays cordoned; then wait until the workloads are ready again`,
    ];
  },
  check: checkDrain,
  apply: applyDrain,
  verify: (fault, ctx) => waitUntil(ctx, `cluster ${ctx.target.cluster} drained`, () => checkDrained(fault, ctx)),
  revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
  verifyReverted: async (_fault, ctx, applied) => {
    await verifyMutationsReverted(applied, handlers, ctx);
  },
};
