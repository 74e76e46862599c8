/**
 * Read-only calls `chaos init` uses to find what an environment file needs: the ingress gateway
 * Service (its LoadBalancer address) and the mesh-injected app namespaces.
 */
import { CoreV1Api, type V1Namespace, type V1Service } from '@kubernetes/client-node';
import { createCaller } from './call.js';
import { loadKubeConfig, type ClusterConnection } from './kube-config.js';
import { defaultRetryPolicy } from './retry.js';

export interface DiscoveryCalls {
  /** Services of every namespace matching a label selector. */
  listServices(labelSelector: string): Promise<V1Service[]>;
  listNamespaces(): Promise<V1Namespace[]>;
}

export function createDiscoveryCalls(connection: ClusterConnection, cwd?: string): DiscoveryCalls {
  const config = loadKubeConfig(connection, cwd);
  const core = config.makeApiClient(CoreV1Api);
  const caller = createCaller(connection.cluster, connection.context, defaultRetryPolicy, 15_000);
  return {
    listServices: async (labelSelector) =>
      (
        await caller.invoke({ verb: 'LIST', resource: 'services', name: `(${labelSelector})` }, (options) =>
          core.listServiceForAllNamespaces({ labelSelector }, options),
        )
      ).items,
    listNamespaces: async () =>
      (await caller.invoke({ verb: 'LIST', resource: 'namespaces' }, (options) => core.listNamespace({}, options)))
        .items,
  };
}
