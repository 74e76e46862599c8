/**
 * Reads and validates a topology file: YAML with positions, the schema, then the checks that
 * span fields (calls name known services, replicas name known clusters). Every problem is
 * reported at once, with file, line, column and field, as an InputError.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorText, InputError, type InputIssue } from '../../errors/errors.js';
import { parseYamlSource, type PathSegment, formatPath } from '../../input/yaml-source.js';
import { collectSchemaIssues } from '../../input/schema-issues.js';
import type { LatencyDistribution } from '../random.js';
import type { ServiceBehaviour } from '../mesh/pod-server.js';
import { topologySchema, type TopologyInput } from './schema.js';

export interface TopologyCluster {
  name: string;
  region: string;
  zone: string;
  nodes: number;
}

export interface TopologyService {
  name: string;
  workload: 'Deployment' | 'StatefulSet';
  port: number;
  targetPort: number;
  image: string;
  replicas: Record<string, number>;
  /** Its HorizontalPodAutoscaler, when the topology gives it one. */
  autoscaling?: { minReplicas: number; maxReplicas: number; cpuUtilization: number };
  behaviour: ServiceBehaviour;
}

interface TopologyIstioObject {
  name: string;
  namespace: string;
  spec: Record<string, unknown>;
}

export interface Topology {
  file: string;
  namespace: string;
  clusters: TopologyCluster[];
  interRegionLatencyMs: number;
  ingress: { namespace: string; service: string; gateway: string };
  services: TopologyService[];
  virtualServices: TopologyIstioObject[];
  destinationRules: TopologyIstioObject[];
  envoyFilters: TopologyIstioObject[];
}

/** The shipped topology; found next to this module, or in src/ when running from dist/. */
export function defaultTopologyPath(): string {
  const candidates = [
    new URL('./bank-of-anthos.yaml', import.meta.url),
    new URL('../../../src/lab/topology/bank-of-anthos.yaml', import.meta.url),
  ];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  return found ?? fileURLToPath(candidates[0] as URL);
}

function crossCheck(input: TopologyInput, issue: (path: PathSegment[], message: string) => void): void {
  const clusters = Object.keys(input.clusters);
  if (clusters.length === 0) issue(['clusters'], 'at least one cluster is needed');
  for (const [name, service] of Object.entries(input.services)) {
    for (const cluster of Object.keys(service.replicas)) {
      if (!clusters.includes(cluster))
        issue(
          ['services', name, 'replicas', cluster],
          `unknown cluster "${cluster}"; clusters are: ${clusters.join(', ')}`,
        );
    }
    if (service.autoscaling && service.autoscaling.maxReplicas < service.autoscaling.minReplicas)
      issue(['services', name, 'autoscaling', 'maxReplicas'], 'maxReplicas must be at least minReplicas');
    for (const [cluster, replicas] of Object.entries(service.replicas))
      if (
        service.autoscaling &&
        (replicas < service.autoscaling.minReplicas || replicas > service.autoscaling.maxReplicas)
      )
        issue(
          ['services', name, 'replicas', cluster],
          `${replicas} replicas is outside autoscaling's ${service.autoscaling.minReplicas}..${service.autoscaling.maxReplicas}: its HPA would rescale it at start`,
        );
    if (
      service.serviceTime &&
      'lognormal' in service.serviceTime &&
      service.serviceTime.lognormal.p99Ms < service.serviceTime.lognormal.medianMs
    ) {
      issue(['services', name, 'serviceTime', 'lognormal', 'p99Ms'], 'p99Ms must be at least medianMs');
    }
    service.routes.forEach((route, index) =>
      route.calls.forEach((call, callIndex) => {
        if (!(call.service in input.services))
          issue(
            ['services', name, 'routes', index, 'calls', callIndex, 'service'],
            `unknown service "${call.service}"; services are: ${Object.keys(input.services).join(', ')}`,
          );
      }),
    );
  }
}

function latencyOf(input: TopologyInput['services'][string]['serviceTime']): LatencyDistribution {
  return 'lognormal' in input
    ? { kind: 'lognormal', ...input.lognormal }
    : { kind: 'fixed', ms: input.fixed.ms, jitterMs: input.fixed.jitterMs };
}

export function parseTopology(file: string, text: string): Topology {
  const source = parseYamlSource(file, text);
  const parsed = topologySchema.safeParse(source.data);
  if (!parsed.success)
    throw new InputError(`${file}: invalid lab topology`, collectSchemaIssues(source, topologySchema, parsed.error));
  const issues: InputIssue[] = [];
  crossCheck(parsed.data, (path, message) =>
    issues.push({ file, ...source.locate(path), path: formatPath(path), message }),
  );
  if (issues.length > 0) throw new InputError(`${file}: invalid lab topology`, issues);
  const input = parsed.data;
  return {
    file,
    namespace: input.namespace,
    clusters: Object.entries(input.clusters).map(([name, cluster]) => ({ name, ...cluster })),
    interRegionLatencyMs: input.network.interRegionLatencyMs,
    ingress: input.ingress,
    services: Object.entries(input.services).map(([name, service]) => ({
      name,
      workload: service.workload,
      port: service.port,
      targetPort: service.targetPort,
      image: service.image ?? `chaos-lab/${name}:latest`,
      replicas: service.replicas,
      ...(service.autoscaling ? { autoscaling: service.autoscaling } : {}),
      behaviour: {
        serviceTime: latencyOf(service.serviceTime),
        concurrency: service.capacity.concurrency,
        queue: service.capacity.queue,
        routes: service.routes.map((route) => ({
          exact: route.exact,
          prefix: route.prefix,
          parallel: route.parallel,
          calls: route.calls,
          method: route.method,
          noToken: route.noToken,
          withToken: route.withToken,
          page: route.page,
          redirect: route.redirect,
        })),
      },
    })),
    virtualServices: input.istio.virtualServices.map((object) => ({
      name: object.name,
      namespace: object.namespace ?? input.namespace,
      spec: object.spec,
    })),
    destinationRules: input.istio.destinationRules.map((object) => ({
      name: object.name,
      namespace: object.namespace ?? input.namespace,
      spec: object.spec,
    })),
    envoyFilters: input.istio.envoyFilters.map((object) => ({
      name: object.name,
      namespace: object.namespace ?? input.ingress.namespace,
      spec: object.spec,
    })),
  };
}

export function readTopology(file = defaultTopologyPath()): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read lab topology ${file}: ${errorText(error)}`,
      [],
      'pass an existing YAML file, or leave topologyPath unset for the shipped Bank of Anthos topology',
    );
  }
  return parseTopology(file, text);
}
