/**
 * `drain`: what kubectl drain does, for every node of the cluster. Cordon each schedulable
 * Node (the annotation says we did; Nodes already unschedulable are not ours to uncordon),
 * then evict the Pods through policy/v1 Eviction — a 429 means a PodDisruptionBudget says
 * "not now": wait and retry, as kubectl does — skipping DaemonSet and mirror Pods. The revert
 * uncordons only our Nodes and waits until the workloads are ready again.
 */
import { errorText, HarnessError } from '../errors/errors.js';
import { isNotFound, isTooManyRequests, KubeApiError } from '../kube/api-error.js';
import type { Pod } from '../kube/types.js';
import type { DrainFault } from '../scenario/types.js';
import { annotation, annotationRemovalPatch, manualAnnotationRemoval, runAnnotations } from './annotations.js';
import type { FaultContext, FaultPlugin, KubeContext, MutationHandler } from './fault-plugin.js';
import type { CordonMutation, EvictMutation } from './mutation.js';
import { checkNamespacesReady, isDaemonOrMirrorPod, isFinished, isPodReady } from './readiness.js';
import { kubectl, revertMutations, verifyMutationsReverted, waitUntil } from './wait.js';

export const cordonHandler: MutationHandler<CordonMutation> = {
  kind: 'cordon',
  revert: async (mutation, ctx) => {
    let node;
    try {
      node = await ctx.api.readNode(mutation.node);
    } catch (error) {
      if (isNotFound(error)) return { status: 'absent', detail: `Node ${mutation.node} no longer exists` };
      throw error;
    }
    const annotations = node.metadata?.annotations;
    if (annotations?.[annotation.run] !== mutation.runId || annotations[annotation.cordoned] !== 'true') {
      return { status: 'absent', detail: `Node ${mutation.node} carries no cordon of run ${mutation.runId}` };
    }
    const notes = node.spec?.unschedulable ? [] : [`Node ${mutation.node} was uncordoned by someone else meanwhile`];
    // null removes the field: a schedulable Node has no `unschedulable` at all, as before.
    await ctx.api.mergePatchNode(mutation.node, {
      ...annotationRemovalPatch(annotations),
      spec: { unschedulable: null },
    });
    return { status: 'reverted', detail: `uncordoned Node ${mutation.node}`, ...(notes.length > 0 ? { notes } : {}) };
  },
  verifyReverted: (mutation, ctx) =>
    waitUntil(ctx, `Node ${mutation.node} schedulable in ${mutation.cluster}`, async () => {
      try {
        return (await ctx.api.readNode(mutation.node)).spec?.unschedulable ? 'still unschedulable' : undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    }),
  manual: (mutation, context) =>
    `${kubectl(context)} uncordon ${mutation.node} && ${manualAnnotationRemoval(`${kubectl(context)} annotate node ${mutation.node}`, undefined)} ${annotation.cordoned}-`,
};

export const evictHandler: MutationHandler<EvictMutation> = {
  kind: 'evict',
  // An eviction cannot be undone: the Pods' controllers replace them once Nodes are schedulable.
  revert: async (mutation) => ({
    status: 'reverted',
    detail: `nothing to put back for ${mutation.pods.length} evicted Pod(s): their controllers replace them`,
  }),
  verifyReverted: (mutation, ctx) =>
    waitUntil(ctx, `workloads of ${mutation.namespaces.join(', ')} ready again in ${mutation.cluster}`, () =>
      checkNamespacesReady(ctx.api, mutation.namespaces),
    ),
  manual: (mutation, context) =>
    `${kubectl(context)} get pods -A -o wide  # evicted Pods come back by themselves once Nodes are uncordoned (${mutation.namespaces.join(', ')})`,
};

const handlers = { cordon: cordonHandler, evict: evictHandler };

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
          annotations: { ...runAnnotations(target.runId, fault.id, ctx.expiresAt), [annotation.cordoned]: 'true' },
        },
        spec: { unschedulable: true },
      }),
    );
  }
}

function evictable(pod: Pod, namespaces: readonly string[] | undefined): boolean {
  if (!pod.spec?.nodeName || pod.metadata?.deletionTimestamp || isFinished(pod) || isDaemonOrMirrorPod(pod))
    return false;
  return namespaces === undefined || namespaces.includes(pod.metadata?.namespace ?? '');
}

async function listEvictable(fault: DrainFault, ctx: FaultContext): Promise<Pod[]> {
  if (!fault.namespaces) return (await ctx.api.listPods(undefined)).filter((pod) => evictable(pod, undefined));
  const lists = await Promise.all(fault.namespaces.map((namespace) => ctx.api.listPods(namespace)));
  return lists.flat().filter((pod) => evictable(pod, fault.namespaces));
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

async function applyDrain(fault: DrainFault, ctx: FaultContext): Promise<undefined> {
  await cordonAll(fault, ctx);
  const pods = await listEvictable(fault, ctx);
  if (pods.length === 0) return undefined;
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
  return undefined;
}

async function checkDrained(fault: DrainFault, ctx: FaultContext): Promise<string | undefined> {
  const nodes = await ctx.api.listNodes();
  const schedulable = nodes.filter((node) => !node.spec?.unschedulable).map((node) => node.metadata?.name);
  if (schedulable.length > 0) return `Node(s) still schedulable: ${schedulable.join(', ')}`;
  const pods = fault.namespaces
    ? (await Promise.all(fault.namespaces.map((namespace) => ctx.api.listPods(namespace)))).flat()
    : await ctx.api.listPods(undefined);
  const serving = pods
    .filter((pod) => !isDaemonOrMirrorPod(pod) && isPodReady(pod))
    .map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`);
  return serving.length > 0 ? `${serving.length} Pod(s) still ready: ${serving.slice(0, 5).join(', ')}` : undefined;
}

export const drain: FaultPlugin<DrainFault> = {
  type: 'drain',
  plan: (fault) => [
    `cordon every schedulable Node (PATCH spec.unschedulable=true + annotation ${annotation.cordoned}; the Nodes already unschedulable are recorded and left alone)`,
    `evict ${fault.namespaces ? `the Pods of ${fault.namespaces.join(', ')}` : 'every Pod'} through policy/v1 Eviction, retrying on 429 from a PodDisruptionBudget; skip DaemonSet and mirror Pods`,
    'verify: every Node unschedulable and no Pod in scope ready',
    'revert: uncordon only the Nodes we cordoned, then wait until the workloads are ready again',
  ],
  apply: applyDrain,
  verify: (fault, ctx) => waitUntil(ctx, `cluster ${ctx.target.cluster} drained`, () => checkDrained(fault, ctx)),
  revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
  verifyReverted: (_fault, ctx, applied) => verifyMutationsReverted(applied, handlers, ctx),
};
