/** Pods (list, delete, evict) and Nodes (list, cordon by merge patch). */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Caller } from './call.js';
import type { MergePatch, Node, Pod } from './types.js';

interface PodSelection {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface PodNodeCalls {
  /** Pods of one namespace, or of every namespace when `namespace` is undefined. */
  listPods(namespace: string | undefined, selection?: PodSelection): Promise<Pod[]>;
  readPod(namespace: string, name: string): Promise<Pod>;
  /** Deletes one Pod; `uid` makes it a precondition, so a same-named replacement is never hit. */
  deletePod(namespace: string, name: string, options?: { uid?: string; gracePeriodSeconds?: number }): Promise<void>;
  /**
   * policy/v1 Eviction. A 429 (a PodDisruptionBudget forbids it now) is *not* retried here:
   * the caller waits and retries on its own schedule, as kubectl drain does.
   */
  evictPod(namespace: string, name: string, options?: { uid?: string }): Promise<void>;
  listNodes(labelSelector?: string): Promise<Node[]>;
  readNode(name: string): Promise<Node>;
  /** Sent with fieldManager `chaos`, so the server records who set what (metadata.managedFields). */
  mergePatchNode(name: string, patch: MergePatch): Promise<Node>;
}

/** The field manager of our Node writes: ownership of spec.unschedulable tells our cordon from someone else's. */
export const chaosFieldManager = 'chaos';

export function createPodNodeCalls(config: KubeConfig, caller: Caller): PodNodeCalls {
  const core = config.makeApiClient(CoreV1Api);
  return {
    listPods: async (namespace, selection = {}) => {
      const list = await caller.invoke({ verb: 'LIST', resource: 'pods', namespace }, (options) =>
        namespace === undefined
          ? core.listPodForAllNamespaces({ ...selection }, options)
          : core.listNamespacedPod({ namespace, ...selection }, options),
      );
      return list.items;
    },
    readPod: (namespace, name) =>
      caller.invoke({ verb: 'GET', resource: 'pods', namespace, name }, (options) =>
        core.readNamespacedPod({ namespace, name }, options),
      ),
    deletePod: async (namespace, name, { uid, gracePeriodSeconds } = {}) => {
      await caller.invoke({ verb: 'DELETE', resource: 'pods', namespace, name }, (options) =>
        core.deleteNamespacedPod(
          { namespace, name, gracePeriodSeconds, body: uid ? { preconditions: { uid } } : undefined },
          options,
        ),
      );
    },
    evictPod: async (namespace, name, { uid } = {}) => {
      await caller.invoke(
        { verb: 'EVICT', resource: 'pods', namespace, name, subresource: 'eviction' },
        (options) =>
          core.createNamespacedPodEviction(
            {
              namespace,
              name,
              body: {
                apiVersion: 'policy/v1',
                kind: 'Eviction',
                metadata: { name, namespace },
                deleteOptions: uid ? { preconditions: { uid } } : undefined,
              },
            },
            options,
          ),
        { retry429: false },
      );
    },
    listNodes: async (labelSelector) => {
      const list = await caller.invoke({ verb: 'LIST', resource: 'nodes' }, (options) =>
        core.listNode({ labelSelector }, options),
      );
      return list.items;
    },
    readNode: (name) =>
      caller.invoke({ verb: 'GET', resource: 'nodes', name }, (options) => core.readNode({ name }, options)),
    mergePatchNode: (name, body) =>
      caller.invoke(
        { verb: 'PATCH', resource: 'nodes', name },
        (options) => core.patchNode({ name, body, fieldManager: chaosFieldManager }, options),
        {
          patch: 'merge',
        },
      ),
  };
}
