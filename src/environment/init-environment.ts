/**
 * `chaos init`: from kubeconfig contexts to an environment file. For each chosen context it
 * finds the ingress gateway Service (label istio=ingressgateway, the LoadBalancer one first) and
 * the app namespace (a namespace with sidecar injection on, present in every cluster), and
 * writes them with the contexts on the allow-list. Read-only against the clusters.
 */
import { stringify } from 'yaml';
import { InputError } from '../errors/errors.js';
import { createDiscoveryCalls } from '../kube/discovery-calls.js';
import type { KubeconfigSource } from '../kube/kube-config.js';

export interface InitChoice {
  name: string;
  /** Cluster name → context. */
  contexts: Record<string, string>;
  kubeconfig?: string;
  /** App namespace; undefined = discovered. */
  namespace?: string;
}

export interface DiscoveredCluster {
  name: string;
  context: string;
  gateway: { namespace: string; name: string; port: number; address?: string };
  injected: string[];
}

const systemNamespaces = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'asm-system']);

export async function discoverCluster(
  name: string,
  context: string,
  source: KubeconfigSource,
  cwd: string,
): Promise<DiscoveredCluster> {
  const calls = createDiscoveryCalls({ cluster: name, context, source }, cwd);
  const gateways = await calls.listServices('istio=ingressgateway');
  const sorted = [...gateways].sort(
    (a, b) =>
      Number(b.spec?.type === 'LoadBalancer') - Number(a.spec?.type === 'LoadBalancer') ||
      (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? ''),
  );
  const gateway = sorted[0];
  if (!gateway?.metadata?.name)
    throw new InputError(
      `cluster ${name} (context ${context}) has no ingress gateway Service (label istio=ingressgateway)`,
      [],
      'install the Istio/ASM ingress gateway, or write the ingress url in the environment file by hand',
    );
  const ports = gateway.spec?.ports ?? [];
  const http = ports.find((port) => port.name === 'http2' || port.name === 'http') ?? ports.find((p) => p.port === 80);
  const lb = gateway.status?.loadBalancer?.ingress?.[0];
  const injected = (await calls.listNamespaces())
    .filter((ns) => {
      const labels = ns.metadata?.labels ?? {};
      return labels['istio-injection'] === 'enabled' || labels['istio.io/rev'] !== undefined;
    })
    .map((ns) => ns.metadata?.name ?? '')
    .filter((ns) => ns && !systemNamespaces.has(ns))
    .sort();
  return {
    name,
    context,
    gateway: {
      namespace: gateway.metadata.namespace ?? 'default',
      name: gateway.metadata.name,
      port: http?.port ?? 80,
      address: lb?.ip ?? lb?.hostname,
    },
    injected,
  };
}

/** The environment file's text (pure), with what was discovered and what to check in comments. */
export function renderEnvironment(choice: InitChoice, clusters: DiscoveredCluster[]): string {
  const common = clusters.reduce<string[] | undefined>(
    (shared, cluster) =>
      shared === undefined ? cluster.injected : shared.filter((ns) => cluster.injected.includes(ns)),
    undefined,
  );
  const namespace = choice.namespace ?? common?.[0];
  if (!namespace)
    throw new InputError(
      'no namespace with sidecar injection is common to every cluster',
      [],
      'name the app namespace with --namespace',
    );
  const document = {
    version: 1,
    name: choice.name,
    description: `Written by chaos init from contexts ${Object.values(choice.contexts).join(', ')}`,
    namespace,
    ...(choice.kubeconfig ? { kubeconfig: choice.kubeconfig } : {}),
    servedBy: { upstreamHeader: 'x-chaos-upstream-host' },
    clusters: Object.fromEntries(
      clusters.map((cluster) => [
        cluster.name,
        {
          context: cluster.context,
          ingress: {
            service: { namespace: cluster.gateway.namespace, name: cluster.gateway.name, port: cluster.gateway.port },
          },
        },
      ]),
    ),
    allowContexts: clusters.map((cluster) => cluster.context),
  };
  const notes = [
    '# yaml-language-server: $schema=../schema/environment.schema.json',
    `# Written by \`chaos init\`. App namespace: ${namespace}${common && common.length > 1 ? ` (also injected: ${common.slice(1).join(', ')})` : ''}.`,
    ...clusters.map(
      (cluster) =>
        `# ${cluster.name}: gateway ${cluster.gateway.namespace}/${cluster.gateway.name}:${cluster.gateway.port}, LoadBalancer ${cluster.gateway.address ?? 'not assigned yet'}`,
    ),
    '# servedBy needs deploy/served-by-envoyfilter.yaml applied in each cluster (remove the line otherwise).',
    '# allowContexts: chaos may change these contexts without --yes. Remove any you want asked about.',
  ];
  return `${notes.join('\n')}\n${stringify(document)}`;
}
