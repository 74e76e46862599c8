/**
 * KEDA ScaledObjects (keda.sh/v1alpha1) through CustomObjectsApi. Where KEDA is not installed
 * the list is empty: nothing scales the workload but its own spec and any plain HPA.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from './api-error.js';
import type { Caller } from './call.js';
import type { MergePatch } from './types.js';

const coordinates = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;
const resource = 'scaledobjects.keda.sh';

export interface ScaledObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: { scaleTargetRef?: { name?: string; kind?: string; apiVersion?: string }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KedaCalls {
  /** ScaledObjects of one namespace (every namespace when undefined); empty where KEDA's CRD is not served. */
  listScaledObjects(namespace: string | undefined): Promise<ScaledObject[]>;
  mergePatchScaledObject(namespace: string, name: string, patch: MergePatch): Promise<ScaledObject>;
}

export function createKedaCalls(config: KubeConfig, caller: Caller): KedaCalls {
  const custom = config.makeApiClient(CustomObjectsApi);
  return {
    listScaledObjects: async (namespace) => {
      try {
        const list = (await caller.invoke({ verb: 'LIST', resource, namespace }, (options) =>
          namespace === undefined
            ? custom.listClusterCustomObject({ ...coordinates }, options)
            : custom.listNamespacedCustomObject({ ...coordinates, namespace }, options),
        )) as { items?: ScaledObject[] };
        return list.items ?? [];
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    mergePatchScaledObject: async (namespace, name, body) =>
      (await caller.invoke(
        { verb: 'PATCH', resource, namespace, name },
        (options) => custom.patchNamespacedCustomObject({ ...coordinates, namespace, name, body }, options),
        { patch: 'merge' },
      )) as ScaledObject,
  };
}
