/**
 * networking.istio.io/v1 VirtualServices through CustomObjectsApi. Bodies stay plain JSON:
 * no serializer touches them, so what we write back is exactly what we read.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Caller } from './call.js';
import type { JsonPatchOp, MergePatch, VirtualService } from './types.js';

const coordinates = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' } as const;
const resource = 'virtualservices.networking.istio.io';

export interface IstioCalls {
  /** VirtualServices of one namespace, or of every namespace when `namespace` is undefined. */
  listVirtualServices(namespace: string | undefined): Promise<VirtualService[]>;
  readVirtualService(namespace: string, name: string): Promise<VirtualService>;
  createVirtualService(namespace: string, body: VirtualService): Promise<VirtualService>;
  /**
   * JSON patch (RFC 6902). Start it with a `test` of /metadata/resourceVersion: a failed test
   * comes back as a conflict (KubeApiError.testFailed) for the caller to re-read and re-decide.
   * Sent once, never retried here, because a retried patch must be re-decided.
   */
  jsonPatchVirtualService(namespace: string, name: string, ops: JsonPatchOp[]): Promise<VirtualService>;
  mergePatchVirtualService(namespace: string, name: string, patch: MergePatch): Promise<VirtualService>;
  /** Delete, with a resourceVersion precondition when given (409 if it changed). */
  deleteVirtualService(namespace: string, name: string, resourceVersion?: string): Promise<void>;
}

interface ListBody {
  items?: VirtualService[];
}

export function createIstioCalls(config: KubeConfig, caller: Caller): IstioCalls {
  const custom = config.makeApiClient(CustomObjectsApi);
  return {
    listVirtualServices: async (namespace) => {
      const list = (await caller.invoke({ verb: 'LIST', resource, namespace }, (options) =>
        namespace === undefined
          ? custom.listClusterCustomObject({ ...coordinates }, options)
          : custom.listNamespacedCustomObject({ ...coordinates, namespace }, options),
      )) as ListBody;
      return list.items ?? [];
    },
    readVirtualService: async (namespace, name) =>
      (await caller.invoke({ verb: 'GET', resource, namespace, name }, (options) =>
        custom.getNamespacedCustomObject({ ...coordinates, namespace, name }, options),
      )) as VirtualService,
    createVirtualService: async (namespace, body) =>
      (await caller.invoke({ verb: 'CREATE', resource, namespace, name: body.metadata.name }, (options) =>
        custom.createNamespacedCustomObject({ ...coordinates, namespace, body }, options),
      )) as VirtualService,
    jsonPatchVirtualService: async (namespace, name, ops) => {
      const sentTest = ops.some((op) => op.op === 'test');
      return (await caller.invoke(
        { verb: 'PATCH', resource, namespace, name },
        (options) => custom.patchNamespacedCustomObject({ ...coordinates, namespace, name, body: ops }, options),
        { patch: 'json', sentTest, once: sentTest },
      )) as VirtualService;
    },
    mergePatchVirtualService: async (namespace, name, body) =>
      (await caller.invoke(
        { verb: 'PATCH', resource, namespace, name },
        (options) => custom.patchNamespacedCustomObject({ ...coordinates, namespace, name, body }, options),
        { patch: 'merge' },
      )) as VirtualService,
    deleteVirtualService: async (namespace, name, resourceVersion) => {
      await caller.invoke({ verb: 'DELETE', resource, namespace, name }, (options) =>
        custom.deleteNamespacedCustomObject(
          {
            ...coordinates,
            namespace,
            name,
            body: resourceVersion ? { preconditions: { resourceVersion } } : undefined,
          },
          options,
        ),
      );
    },
  };
}
