/**
 * Undo of a drain's mutations, for a fault's revert and for `chaos recover` alike: uncordon only a
 * Node still cordoned by this run; an eviction has nothing to put back (the controllers replace the
 * Pods), so its revert waits for the namespaces' workloads.
 */
import { isNotFound } from '../../kube/api-error.js';
import { chaosFieldManager } from '../../kube/pod-node-calls.js';
import type { Node } from '../../kube/types.js';
import { annotation, annotationRemovalPatch, manualAnnotationRemoval } from '../annotations.js';
import type { MutationHandler } from '../fault-plugin.js';
import type { CordonMutation, EvictMutation } from './mutations.js';
import { checkNamespacesReady } from '../readiness.js';
import { kubectl, waitUntil } from '../wait.js';
export const cordonHandler: MutationHandler<CordonMutation> = {
  kind: 'cordon',
  check: (mutation, context) => `kubectl --context ${context} get node ${mutation.node}`,
  markObject: (mutation, api, patch) => api.mergePatchNode(mutation.node, patch),
  describe: (mutation) => `cordon Node ${mutation.node} in ${mutation.cluster}`,
  key: (mutation) => `${mutation.cluster}/cordon/${mutation.node}`,
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
    const owners = unschedulableOwners(node);
    if (node.spec?.unschedulable && owners !== undefined && owners.length > 0 && !owners.includes(chaosFieldManager)) {
      // Cordoned again by someone else (their field manager owns spec.unschedulable now): theirs to undo.
      await ctx.api.mergePatchNode(mutation.node, annotationRemovalPatch(annotations));
      return {
        status: 'reverted',
        detail: `left Node ${mutation.node} cordoned: ${owners.join(', ')} cordoned it again meanwhile`,
        notes: [`Node ${mutation.node} was cordoned again by ${owners.join(', ')} during the run: left cordoned`],
      };
    }
    const others = node.spec?.unschedulable ? actorsSinceCordon(node) : [];
    if (others.length > 0) {
      // Someone acted on the Node while we held it (a `kubectl cordon` of an already cordoned Node
      // writes nothing, but a taint, label or annotation does): perhaps to keep it out. Not ours to say.
      return {
        status: 'conflict',
        detail: `Node ${mutation.node} was changed by ${others.join(', ')} after run ${mutation.runId} cordoned it: it may be meant to stay cordoned, left cordoned`,
        manual: `${kubectl(ctx.api.context)} uncordon ${mutation.node}`,
      };
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
        const node = await ctx.api.readNode(mutation.node);
        if (!node.spec?.unschedulable) return undefined;
        // Someone else's cordon is not ours to wait out.
        const owners = unschedulableOwners(node);
        if (owners !== undefined && owners.length > 0 && !owners.includes(chaosFieldManager)) return undefined;
        return 'still unschedulable';
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
  check: (mutation, context) =>
    `kubectl --context ${context} get pods ${mutation.namespaces.map((ns) => `-n ${ns}`).join(' ') || '-A'}`,
  describe: (mutation) =>
    `evict ${mutation.pods.length} Pod(s) of ${mutation.namespaces.join(', ') || 'no namespace'} in ${mutation.cluster}`,
  key: (mutation) =>
    `${mutation.cluster}/evict/${mutation.runId}/${mutation.faultId}/${mutation.pods.map((pod) => `${pod.namespace}/${pod.name}`).join(',')}`,
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

/**
 * Field managers owning `spec.unschedulable` (metadata.managedFields); undefined when the
 * server keeps no such record, and then the annotation alone says the cordon is ours.
 */
function unschedulableOwners(node: Node): string[] | undefined {
  const entries = node.metadata?.managedFields;
  if (!entries || entries.length === 0) return undefined;
  return entries.filter((entry) => ownsUnschedulable(entry.fieldsV1)).map((entry) => entry.manager ?? '?');
}

/**
 * Who else wrote the Node (labels, annotations, taints, spec) since our cordon, timed by the
 * server's own clock (managedFields' times, whole seconds: a write in the same second as ours
 * counts as after it, the safe side). The Node's status (the kubelet's) and the node-lifecycle
 * controller's writes (its answer to our cordon: the `node.kubernetes.io/unschedulable` taint) are
 * not intent. Anyone else counts, kubelet and operators included: when unsure, refuse and report.
 * Our entry's time is our last write (a game day's pushed expiry moves it): a write before that
 * is not seen. Each as `manager (time)`; empty when the server keeps no such record.
 */
function actorsSinceCordon(node: Node): string[] {
  const entries = node.metadata?.managedFields ?? [];
  const ours = entries.find(
    (entry) => entry.manager === chaosFieldManager && !entry.subresource && ownsUnschedulable(entry.fieldsV1),
  );
  const cordonedAt = ours?.time ? new Date(ours.time).getTime() : Number.NaN;
  if (Number.isNaN(cordonedAt)) return [];
  return entries
    .filter((entry) => {
      if (entry.manager === chaosFieldManager || (entry.subresource ?? '') !== '') return false;
      const at = entry.time ? new Date(entry.time).getTime() : Number.NaN;
      if (Number.isNaN(at) || at < cordonedAt) return false;
      return entry.manager !== nodeLifecycleManager;
    })
    .map((entry) => `${entry.manager ?? '?'} (${entry.time ? new Date(entry.time).toISOString() : '?'})`);
}

/**
 * The manager of kube-controller-manager, whose node-lifecycle controller taints a cordoned Node
 * itself (`node.kubernetes.io/unschedulable`, in the same second as our cordon): one entry per
 * manager, so it cannot be told apart by field; the controllers are not a person's intent.
 */
const nodeLifecycleManager = 'kube-controller-manager';

function ownsUnschedulable(fields: unknown): boolean {
  return (
    (fields as { 'f:spec'?: { 'f:unschedulable'?: unknown } } | undefined)?.['f:spec']?.['f:unschedulable'] !==
    undefined
  );
}
