/**
 * Real control planes are the slowest thing the suite starts (etcd, kube-apiserver, and with
 * controllers kube-controller-manager, kube-scheduler and kwok: tens of seconds each on a loaded
 * two-core machine). Each test process boots one set per shape and lends it to every file that
 * asks; a file resets what it uses (resetBankOfAnthos) instead of booting its own. The clusters
 * end with the process: ProcessSandbox's exit handler and reaper (test/support/real-processes.ts)
 * kill them, also after a crash.
 */
import { startRealClusters, type RealCluster, type RealClusterOptions } from './real-cluster.js';
import { jsonOf, rawRequest, waitFor, type ApiEndpoint } from './real-http.js';
import { createManifests } from './real-manifests.js';
import { keepSandboxForProcess } from './real-processes.js';
import {
  bankNamespace,
  bankOfAnthosManifests,
  gatewayNamespace,
  istioNamespace,
  type BankCluster,
} from '../fixtures/real-api/bank-of-anthos.js';

const shared = new Map<string, Promise<RealCluster[]>>();

/**
 * The clusters of this shape, started on first use in this process. Do not stop() them: they are
 * lent; a failed start is not cached, so the next file tries again (and fails on its own).
 */
export function sharedRealClusters(names: readonly string[], options: RealClusterOptions = {}): Promise<RealCluster[]> {
  const key = JSON.stringify({ names, options });
  let started = shared.get(key);
  if (!started) {
    started = startRealClusters(names, options).then((clusters) => {
      for (const cluster of clusters) keepSandboxForProcess(cluster.dir);
      return clusters;
    });
    shared.set(key, started);
    started.catch(() => shared.delete(key));
  }
  return started;
}

interface NodeObject {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean };
}

/**
 * Puts a cluster of the shared pair back to a fresh Bank of Anthos: the app and gateway
 * namespaces deleted (everything in them, Leases of the lock included) and waited out, chaos
 * annotations and cordons taken off the Nodes, the manifests created again.
 */
export async function resetBankOfAnthos(cluster: RealCluster, name: BankCluster): Promise<void> {
  await Promise.all(
    [bankNamespace, gatewayNamespace, istioNamespace].map((namespace) => deleteNamespace(cluster, namespace)),
  );
  await resetNodes(cluster);
  await createManifests(cluster, bankOfAnthosManifests(name));
}

async function deleteNamespace(endpoint: ApiEndpoint, namespace: string): Promise<void> {
  const path = `/api/v1/namespaces/${namespace}`;
  const deleted = await rawRequest(endpoint, {
    method: 'DELETE',
    path,
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', gracePeriodSeconds: 0 },
  });
  if (deleted.status === 404) return;
  if (deleted.status !== 200 && deleted.status !== 202)
    throw new Error(`deleting namespace ${namespace} failed: HTTP ${deleted.status} ${deleted.text.slice(0, 300)}`);
  // Pods first, at once: kwok would otherwise honour their grace period.
  await rawRequest(endpoint, {
    method: 'DELETE',
    path: `${path}/pods`,
    body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 },
  });
  await waitFor(
    `namespace ${namespace} to be gone`,
    async () => ((await rawRequest(endpoint, { method: 'GET', path })).status === 404 ? true : undefined),
    { timeoutMs: 180_000, intervalMs: 250 },
  );
}

async function resetNodes(endpoint: ApiEndpoint): Promise<void> {
  const nodes = jsonOf<{ items: NodeObject[] }>(await rawRequest(endpoint, { method: 'GET', path: '/api/v1/nodes' }));
  for (const node of nodes.items) {
    const annotations = Object.fromEntries(
      Object.keys(node.metadata.annotations ?? {})
        .filter((key) => key.startsWith('chaos.dev/'))
        .map((key) => [key, null]),
    );
    if (Object.keys(annotations).length === 0 && !node.spec?.unschedulable) continue;
    const response = await rawRequest(endpoint, {
      method: 'PATCH',
      path: `/api/v1/nodes/${node.metadata.name}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations }, spec: { unschedulable: null } },
    });
    if (response.status !== 200)
      throw new Error(
        `resetting Node ${node.metadata.name} failed: HTTP ${response.status} ${response.text.slice(0, 300)}`,
      );
  }
}
