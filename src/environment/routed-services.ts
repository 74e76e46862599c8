/**
 * The services a scenario's load routes through, for the parity preflight: read, never
 * guessed. On any cluster: the destinations of the app namespace's VirtualServices bound to a
 * gateway (what the ingress sends the load to; hosts matching the load's Host header) and the
 * hosts and destinations of its mesh VirtualServices (services the mesh routes by name). On the
 * embedded lab, also every service the topology's call graph reaches from those (a real cluster
 * does not publish its call graph; see docs/user-scripts.md). Bounded: one list of
 * VirtualServices per cluster; names are kept only when they are Services of the app namespace.
 */
import type { ClusterApis } from '../kube/cluster-api.js';
import type { VirtualService } from '../kube/types.js';
import { readTopology } from '../lab/topology/read-topology.js';
import type { Environment } from './types.js';

/** `frontend`, `frontend.ns`, `frontend.ns.svc`, `frontend.ns.svc.cluster.local` → `frontend` when ns is ours. */
export function serviceOfHost(host: string, namespace: string): string | undefined {
  const [name, ns, ...rest] = host.split('.');
  if (!name || name === '*') return undefined;
  if (ns === undefined) return name;
  if (ns !== namespace) return undefined;
  return rest.length === 0 || rest[0] === 'svc' ? name : undefined;
}

function hostMatches(pattern: string, host: string | undefined): boolean {
  if (host === undefined || pattern === '*') return true;
  const bare = host.replace(/:\d+$/, '');
  return pattern.startsWith('*.') ? bare.endsWith(pattern.slice(1)) : pattern === bare;
}

/** Pure: the services on the load's path according to these VirtualServices. */
export function servicesOfVirtualServices(
  virtualServices: readonly VirtualService[],
  namespace: string,
  loadHost: string | undefined,
): string[] {
  const names = new Set<string>();
  const add = (host: string | undefined): void => {
    const name = host === undefined ? undefined : serviceOfHost(host, namespace);
    if (name) names.add(name);
  };
  for (const vs of virtualServices) {
    const gateways = vs.spec.gateways ?? [];
    const atGateway = gateways.some((gateway) => gateway !== 'mesh');
    const inMesh = gateways.length === 0 || gateways.includes('mesh');
    const hosts = vs.spec.hosts ?? [];
    const destinations = (vs.spec.http ?? []).flatMap((route) =>
      (route.route ?? []).map((entry) => entry.destination?.host),
    );
    if (inMesh) for (const host of hosts) add(host);
    if (inMesh || (atGateway && hosts.some((pattern) => hostMatches(pattern, loadHost))))
      for (const host of destinations) add(host);
  }
  return [...names].sort();
}

/** Pure: `start` and every service reachable from it through `calls` (each service once). */
export function reachable(start: readonly string[], calls: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set(start);
  const queue = [...start];
  for (let next = queue.shift(); next !== undefined; next = queue.shift())
    for (const callee of calls.get(next) ?? [])
      if (!seen.has(callee)) {
        seen.add(callee);
        queue.push(callee);
      }
  return [...seen].sort();
}

function labCallGraph(): Map<string, string[]> {
  const topology = readTopology();
  return new Map(
    topology.services.map((service) => [
      service.name,
      [...new Set(service.behaviour.routes.flatMap((route) => route.calls.map((call) => call.service)))],
    ]),
  );
}

/** Read: the services the load routes through in any cluster. */
export async function routedServices(
  environment: Environment,
  apis: ClusterApis,
  loadHost: string | undefined,
): Promise<string[]> {
  const names = new Set<string>();
  for (const cluster of environment.clusters) {
    const api = apis.get(cluster.name);
    if (!api) continue;
    const list = await api.listVirtualServices(environment.namespace);
    for (const name of servicesOfVirtualServices(list, environment.namespace, loadHost)) names.add(name);
  }
  const routed = [...names].sort();
  return environment.builtIn ? reachable(routed, labCallGraph()) : routed;
}
