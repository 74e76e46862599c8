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
      ingress:
        'url' in cluster.ingress
          ? { kind: 'url', url: cluster.ingress.url }
          : { kind: 'service', ...cluster.ingress.service },
    })),
    allowContexts: raw.allowContexts,
    builtIn: false,
  };
}
