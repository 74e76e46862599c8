/**
 * Connect to the environment of a run: the lab (one started by `chaos lab up`, or a fresh one
 * in this process) or real clusters. Resolves each ingress to a URL (a fixed URL, or the
 * gateway Service's LoadBalancer address) and checks that every ingress answers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors/errors.js';
import type { Environment, EnvironmentCluster } from './types.js';
import { type ClusterApis } from '../kube/cluster-api.js';
import { connectEnvironment } from './connect.js';
import { readLabState, startLab, type RunningLab } from '../lab/index.js';

export interface OpenEnvironment {
  apis: ClusterApis;
  ingressUrls: Record<string, string>;
  /** How the lab was reached, for the console. */
  description: string;
  close(): Promise<void>;
}

export const labStateDir = '.chaos/lab';

/**
 * Read-only clients for checking a plan against the clusters (plan, validate --env): the
 * environment's clusters, or the running lab; undefined, with why, when there is nothing to
 * read (the lab is not running). Starts nothing and contacts nothing yet.
 */
export async function readableClusters(
  environment: Environment,
  cwd: string,
): Promise<{ apis: ClusterApis } | { reason: string }> {
  const options = { cwd, requestTimeoutMs: 5_000, retry: { attempts: 1 } };
  if (!environment.builtIn) {
    try {
      return { apis: connectEnvironment(environment, options) };
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error) };
    }
  }
  const reading = await readLabState(path.resolve(cwd, labStateDir));
  if (!reading?.running) return { reason: 'the lab is not running (chaos lab up): checked when the run starts' };
  const yaml = readFileSync(reading.state.kubeconfig, 'utf8');
  return { apis: connectEnvironment(environment, { ...options, kubeconfigYaml: yaml }) };
}

export async function openEnvironment(environment: Environment, cwd: string): Promise<OpenEnvironment> {
  if (!environment.builtIn) {
    const apis = connectEnvironment(environment, { cwd });
    const ingressUrls: Record<string, string> = {};
    for (const cluster of environment.clusters) ingressUrls[cluster.name] = await discoverIngress(cluster, apis);
    return {
      apis,
      ingressUrls,
      description: `clusters ${environment.clusters.map((c) => `${c.name} (${c.context})`).join(', ')}`,
      close: async () => {},
    };
  }
  const reading = await readLabState(path.resolve(cwd, labStateDir));
  if (reading?.running) {
    const yaml = readFileSync(reading.state.kubeconfig, 'utf8');
    return {
      apis: connectEnvironment(environment, { kubeconfigYaml: yaml, cwd }),
      ingressUrls: Object.fromEntries(reading.state.clusters.map((cluster) => [cluster.name, cluster.ingressUrl])),
      description: `the running lab (pid ${reading.state.pid})`,
      close: async () => {},
    };
  }
  let lab: RunningLab;
  try {
    lab = await startLab();
  } catch (error) {
    throw new HarnessError(
      `cannot start the embedded lab: ${(error as Error).message}`,
      'is another lab or program using 127.0.0.11:8080 / 127.0.0.12:8080? `chaos lab status` tells',
    );
  }
  return {
    apis: connectEnvironment(environment, { kubeconfigYaml: lab.kubeconfig(), cwd }),
    ingressUrls: Object.fromEntries(lab.clusters.map((cluster) => [cluster.name, cluster.ingressUrl])),
    description: 'an embedded lab started for this run',
    close: () => lab.stop(),
  };
}

async function discoverIngress(cluster: EnvironmentCluster, apis: ClusterApis): Promise<string> {
  const ingress = cluster.ingress;
  if (ingress.kind === 'url') return ingress.url;
  const api = apis.get(cluster.name);
  if (!api) throw new HarnessError(`no API client for cluster ${cluster.name}`);
  const service = await api.readService(ingress.namespace, ingress.name);
  const lb = service.status?.loadBalancer?.ingress?.[0];
  const host = lb?.ip ?? lb?.hostname;
  if (!host) {
    throw new HarnessError(
      `Service ${ingress.namespace}/${ingress.name} in ${cluster.name} (context ${cluster.context}) has no LoadBalancer address`,
      'give the ingress an explicit url in the environment file',
    );
  }
  return `${ingress.scheme}://${host.includes(':') ? `[${host}]` : host}:${ingress.port}`;
}

/** Every ingress must answer (any HTTP status) before load starts; bounded in tries and time. */
export async function checkIngresses(
  ingressUrls: Record<string, string>,
  host: string | undefined,
  path: string,
): Promise<void> {
  const failures: string[] = [];
  for (const [name, url] of Object.entries(ingressUrls)) {
    let lastError = '';
    let answered = false;
    for (let attempt = 0; attempt < 5 && !answered; attempt += 1) {
      try {
        const response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
          headers: host ? { host } : {},
          signal: AbortSignal.timeout(3000),
          redirect: 'manual',
        });
        await response.arrayBuffer();
        answered = true;
      } catch (error) {
        lastError = (error as Error).message;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (!answered) failures.push(`${name} (${url}): ${lastError}`);
  }
  if (failures.length > 0)
    throw new HarnessError(
      `ingress not answering: ${failures.join('; ')}`,
      "check the environment's ingress settings; `chaos plan` shows the addresses",
    );
}
