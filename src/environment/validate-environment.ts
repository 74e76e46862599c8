import { InputError } from '../errors/errors.js';
import { collectSchemaIssues } from '../input/schema-issues.js';
import type { YamlSource } from '../input/yaml-source.js';
import { environmentSchema } from './schema.js';
import { normalizeTolerance } from '../budgets/compare-tolerance.js';
import { defaultProtectedPods, type Environment } from './types.js';

function durationMs(text: string): number {
  const value = Number(text.replace(/(ms|s|m)$/, ''));
  return text.endsWith('ms') ? value : text.endsWith('m') ? value * 60_000 : value * 1000;
}

export function validateEnvironment(source: YamlSource): Environment {
  const parsed = environmentSchema.safeParse(source.data ?? {});
  if (!parsed.success) {
    throw new InputError(
      `${source.file}: invalid environment`,
      collectSchemaIssues(source, environmentSchema, parsed.error),
    );
  }
  const raw = parsed.data;
  const environment: Environment = {
    file: source.file,
    name: raw.name,
    description: raw.description,
    namespace: raw.namespace,
    host: raw.host,
    clusters: Object.entries(raw.clusters).map(([name, cluster]) => ({
      name,
      context: cluster.context,
      kubeconfig: cluster.kubeconfig ?? raw.kubeconfig,
      region: cluster.region,
      ...(cluster.inCluster ? { inCluster: true } : {}),
      istioConfigCluster: cluster.istioConfigCluster,
      ingress:
        'url' in cluster.ingress
          ? { kind: 'url', url: cluster.ingress.url }
          : { kind: 'service', ...cluster.ingress.service },
    })),
    servedBy:
      raw.servedBy === undefined
        ? undefined
        : 'upstreamHeader' in raw.servedBy
          ? { kind: 'upstream-address', header: raw.servedBy.upstreamHeader.toLowerCase() }
          : { kind: 'header', header: raw.servedBy.header.toLowerCase() },
    allowContexts: raw.allowContexts,
    requireGuard: raw.requireGuard,
    lockLeaseSeconds: Math.max(1, Math.round(durationMs(raw.lock?.lease ?? '30s') / 1000)),
    builtIn: false,
    istioConvergence: {
      kind: raw.istio?.convergence ?? 'settle',
      settleMs: durationMs(raw.istio?.settle ?? '5s'),
    },
    ...(raw.compare ? { compareTolerance: normalizeTolerance(raw.compare) } : {}),
    protectedPods: {
      namespaces: raw.protected?.namespaces ?? defaultProtectedPods.namespaces,
      labels: raw.protected?.labels ?? defaultProtectedPods.labels,
    },
  };
  const names = environment.clusters.map((cluster) => cluster.name);
  const issues = environment.clusters
    .filter((cluster) => cluster.istioConfigCluster !== undefined && !names.includes(cluster.istioConfigCluster))
    .map((cluster) => ({
      file: source.file,
      ...source.locate(['clusters', cluster.name, 'istioConfigCluster']),
      path: `clusters.${cluster.name}.istioConfigCluster`,
      message: `expected the name of a cluster of this environment (${names.join(', ')}), got "${cluster.istioConfigCluster}"`,
    }));
  if (issues.length > 0) throw new InputError(`${source.file}: invalid environment`, issues);
  return environment;
}
