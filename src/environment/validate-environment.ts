import { InputError } from '../errors/errors.js';
import { collectSchemaIssues } from '../input/schema-issues.js';
import type { YamlSource } from '../input/yaml-source.js';
import { environmentSchema } from './schema.js';
import type { Environment } from './types.js';

export function validateEnvironment(source: YamlSource): Environment {
  const parsed = environmentSchema.safeParse(source.data ?? {});
  if (!parsed.success) {
    throw new InputError(
      `${source.file}: invalid environment`,
      collectSchemaIssues(source, environmentSchema, parsed.error),
    );
  }
  const raw = parsed.data;
  return {
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
    builtIn: false,
  };
}
