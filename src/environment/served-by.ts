/**
 * From the mesh's upstream address of a response to the cluster that served it: each
 * cluster's EndpointSlices (app namespace) say whose Pod an address is; on a multi-network mesh
 * a remote endpoint is reached through its cluster's east-west gateway, so the upstream address
 * is that gateway's (its Service `istio=eastwestgateway`: LoadBalancer address, port 15443),
 * which names the remote cluster just as well. Read at the start and
 * again at most every `refreshMs` while addresses come in that nobody knows (new Pods after a
 * scale-up), so the lookup itself never waits on the API. Bounded: one listing in flight.
 */
import type { ClusterApi, ClusterApis } from '../kube/cluster-api.js';
import type { Environment } from './types.js';

const eastWestGatewaySelector = 'istio=eastwestgateway';

async function podAddresses(api: ClusterApi, namespace: string): Promise<string[]> {
  const found: string[] = [];
  for (const slice of await api.listEndpointSlices(namespace)) {
    const ports = (slice.ports ?? []).map((port) => port.port).filter((port) => port !== undefined);
    for (const endpoint of slice.endpoints ?? [])
      for (const address of endpoint.addresses ?? []) found.push(address, ...ports.map((port) => `${address}:${port}`));
  }
  return found;
}

/** The addresses other clusters reach this one's endpoints by on a multi-network mesh. */
async function eastWestAddresses(api: ClusterApi): Promise<string[]> {
  const found: string[] = [];
  for (const service of await api.listServicesEverywhere(eastWestGatewaySelector)) {
    const ports = (service.spec?.ports ?? []).map((port) => port.port);
    for (const ingress of service.status?.loadBalancer?.ingress ?? [])
      for (const address of [ingress.ip, ingress.hostname])
        if (address) found.push(address, ...ports.map((port) => `${address}:${port}`));
  }
  return found;
}

export interface ServedByResolver {
  /** A raw served_by tag → a cluster name; `addr:<ip:port>` is looked up, anything else kept. */
  map(raw: string): string;
  refresh(): Promise<void>;
}

export function servedByResolver(
  environment: Environment,
  apis: ClusterApis,
  options: { refreshMs?: number; now?: () => number } = {},
): ServedByResolver {
  const refreshMs = options.refreshMs ?? 2000;
  const now = options.now ?? Date.now;
  let byAddress = new Map<string, string>();
  let lastRefresh = -Infinity;
  let inFlight: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      const next = new Map<string, string>();
      for (const cluster of environment.clusters) {
        const api = apis.get(cluster.name);
        if (!api) continue;
        // A cluster that cannot be listed keeps its addresses unknown; the run goes on. Most
        // meshes have no east-west gateway: an empty list (or no right to list) changes nothing.
        const lists = await Promise.all([
          podAddresses(api, environment.namespace).catch(() => []),
          eastWestAddresses(api).catch(() => []),
        ]);
        for (const address of lists.flat()) next.set(address, cluster.name);
      }
      byAddress = next;
      lastRefresh = now();
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  return {
    map: (raw) => {
      if (!raw.startsWith('addr:')) return raw;
      const address = raw.slice('addr:'.length).replace(/^\[(.*)\](:\d+)$/, '$1$2');
      const found = byAddress.get(address) ?? byAddress.get(address.replace(/:\d+$/, ''));
      if (found) return found;
      if (now() - lastRefresh >= refreshMs) void refresh();
      return 'unknown';
    },
    refresh,
  };
}
