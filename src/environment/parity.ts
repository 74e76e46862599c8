/**
 * Deployment parity ("the deployment is the same in both clusters"): for each service a
 * scenario targets, compare across clusters the container images, the desired replicas and
 * readiness. Read-only. A service deployed in only some clusters (Bank of Anthos's databases
 * run in west only) is noted, not counted as a difference.
 */
import type { ClusterApis } from '../kube/cluster-api.js';
import type { Environment } from './types.js';

export interface WorkloadFacts {
  cluster: string;
  kind: 'Deployment' | 'StatefulSet';
  images: string[];
  replicas: number;
  ready: number;
}

export interface ParityReport {
  services: Array<{ service: string; found: WorkloadFacts[]; differences: string[]; missingIn: string[] }>;
  differences: string[];
}

/** Pure: what differs between the clusters' copies of each service. */
export function compareParity(byService: Record<string, WorkloadFacts[]>, clusters: readonly string[]): ParityReport {
  const services = Object.entries(byService).map(([service, found]) => {
    const differences: string[] = [];
    const missingIn = clusters.filter((cluster) => !found.some((facts) => facts.cluster === cluster));
    const describe = (pick: (facts: WorkloadFacts) => string) =>
      found.map((facts) => `${facts.cluster} ${pick(facts)}`).join(', ');
    if (new Set(found.map((facts) => facts.images.join(' '))).size > 1)
      differences.push(`${service}: images differ (${describe((facts) => facts.images.join(' '))})`);
    if (new Set(found.map((facts) => facts.replicas)).size > 1)
      differences.push(`${service}: replicas differ (${describe((facts) => String(facts.replicas))})`);
    for (const facts of found)
      if (facts.ready < facts.replicas)
        differences.push(`${service}: ${facts.ready} of ${facts.replicas} ready in ${facts.cluster}`);
    return { service, found, differences, missingIn };
  });
  return { services, differences: services.flatMap((entry) => entry.differences) };
}

export async function readParity(
  environment: Environment,
  apis: ClusterApis,
  services: readonly string[],
): Promise<ParityReport> {
  const byService: Record<string, WorkloadFacts[]> = Object.fromEntries(services.map((service) => [service, []]));
  for (const cluster of environment.clusters) {
    const api = apis.get(cluster.name);
    if (!api) continue;
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      for (const workload of await api.listWorkloads(kind, environment.namespace)) {
        const name = workload.metadata?.name ?? '';
        if (!(name in byService)) continue;
        byService[name]!.push({
          cluster: cluster.name,
          kind,
          images: (workload.spec?.template.spec?.containers ?? []).map((container) => container.image ?? '').sort(),
          replicas: workload.spec?.replicas ?? 1,
          ready: workload.status?.readyReplicas ?? 0,
        });
      }
    }
  }
  return compareParity(
    byService,
    environment.clusters.map((cluster) => cluster.name),
  );
}

export function renderParity(report: ParityReport): string[] {
  if (report.services.length === 0) return ['parity: no service to compare'];
  const lines = report.services.map(({ service, found, differences, missingIn }) => {
    const where = missingIn.length > 0 ? ` (not deployed in ${missingIn.join(', ')})` : '';
    return `parity ${service}: ${differences.length === 0 ? `same in ${found.map((f) => f.cluster).join(', ') || 'no cluster'}` : differences.map((d) => d.slice(service.length + 2)).join('; ')}${where}`;
  });
  return lines;
}
