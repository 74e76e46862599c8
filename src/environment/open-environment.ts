/**
 * Connect to the environment of a run: the lab (one started by `chaos lab up`, or a fresh one
 * in this process) or real clusters. Resolves each ingress to a URL (a fixed URL, or the
 * gateway Service's LoadBalancer address) and checks that every ingress answers.
 */
import path from 'node:path';
import { errorText, HarnessError } from '../errors/errors.js';
import type { Environment, EnvironmentCluster } from './types.js';
import type { ClusterApiOptions, ClusterApis } from '../kube/cluster-api.js';
import { connectEnvironment } from './connect.js';
import { requestTimeoutFromEnv } from './connection-overrides.js';
import {
  ingressAddressEnv,
  ingressPlacementFromEnv,
  ingressPortEnv,
  chooseLabStateDir,
  findRunningLab,
  labStateDirEnv,
  LabStateError,
  startLab,
  type RunningLab,
} from '../lab/index.js';
import { sleep } from '../system/sleep.js';
import { servedByResolver } from './served-by.js';

export interface OpenEnvironment {
  apis: ClusterApis;
  ingressUrls: Record<string, string>;
  /** How the lab was reached, for the console. */
  description: string;
  /** Maps the mesh's upstream address of a response to a cluster (environment servedBy: upstreamHeader). */
  servedBy?: (raw: string) => string;
  close(): Promise<void>;
}

/** With the upstream-address mechanism, addresses are mapped to clusters by EndpointSlices. */
async function withServedBy(environment: Environment, opened: OpenEnvironment): Promise<OpenEnvironment> {
  if (environment.servedBy?.kind !== 'upstream-address') return opened;
  const resolver = servedByResolver(environment, opened.apis);
  await resolver.refresh();
  return { ...opened, servedBy: resolver.map };
}

/**
 * An environment that is already there: real clusters, or the lab whose state folder `stateDir`
 * (else CHAOS_STATE_DIR, else `.chaos/lab`) names. Undefined for the built-in lab when that folder
 * records none (its clusters live only in a process); a LabStateError (exit 3, located, with a
 * hint) when it records one that cannot be reached as recorded. Ingresses are not resolved yet.
 */
export async function connectExisting(
  environment: Environment,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  stateDir?: string,
  clients: ClusterApiOptions = {},
): Promise<OpenEnvironment | undefined> {
  if (!environment.builtIn) {
    const requestTimeoutMs = clients.requestTimeoutMs ?? requestTimeoutFromEnv(env);
    const apis = connectEnvironment(environment, { ...clients, requestTimeoutMs, cwd });
    return {
      apis,
      ingressUrls: {},
      description: `clusters ${environment.clusters.map((c) => `${c.name} (${c.context})`).join(', ')}`,
      close: async () => {},
    };
  }
  // A state folder that records no lab: undefined; one that records a lab it cannot give: LabStateError.
  const reading = await findRunningLab(chooseLabStateDir(cwd, env, stateDir));
  if (!reading) return undefined;
  return {
    apis: connectEnvironment(environment, { ...clients, kubeconfigYaml: reading.kubeconfigYaml, cwd }),
    ingressUrls: Object.fromEntries(reading.state.clusters.map((cluster) => [cluster.name, cluster.ingressUrl])),
    description: `the running lab (pid ${reading.state.pid}, state ${path.dirname(reading.file)})`,
    close: async () => {},
  };
}

/**
 * Read-only clients for checking a plan against the clusters (plan, validate --env): what
 * connectExisting finds, with short timeouts and no retries; why not, when there is nothing to
 * read (the lab is not running). Starts nothing and contacts nothing yet.
 */
export async function readableClusters(
  environment: Environment,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ apis: ClusterApis } | { reason: string }> {
  try {
    const clients = { requestTimeoutMs: 5_000, retry: { attempts: 1 } };
    const opened = await connectExisting(environment, cwd, env, undefined, clients);
    return opened
      ? { apis: opened.apis }
      : { reason: 'the lab is not running (chaos lab up): checked when the run starts' };
  } catch (error) {
    // A broken lab state is the user's to fix now, not a note in the plan.
    if (error instanceof LabStateError) throw error;
    return { reason: errorText(error) };
  }
}

/**
 * The environment of a run, every ingress resolved: what is there (connectExisting), or for the
 * lab a fresh one in this process, its ingresses where CHAOS_LAB_INGRESS_ADDRESS /
 * CHAOS_LAB_INGRESS_PORT say (port 0: free ports), so runs side by side need not share
 * 127.0.0.11:8080.
 */
export async function openEnvironment(
  environment: Environment,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenEnvironment> {
  return withServedBy(environment, await openApis(environment, cwd, env));
}

async function openApis(environment: Environment, cwd: string, env: NodeJS.ProcessEnv): Promise<OpenEnvironment> {
  const existing = await connectExisting(environment, cwd, env);
  if (existing && !environment.builtIn) {
    for (const cluster of environment.clusters)
      existing.ingressUrls[cluster.name] = await discoverIngress(cluster, existing.apis);
  }
  if (existing) return existing;
  const placement = ingressPlacementFromEnv(env);
  if (typeof placement === 'string')
    throw new HarnessError(
      `cannot start the embedded lab: ${placement}`,
      `unset ${ingressAddressEnv} / ${ingressPortEnv}`,
    );
  let lab: RunningLab;
  try {
    lab = await startLab(placement);
  } catch (error) {
    throw new HarnessError(
      `cannot start the embedded lab: ${errorText(error)}`,
      `is another lab or program using its ingress ports? \`chaos lab status\` tells; ${ingressPortEnv}=0 takes free ports, ${labStateDirEnv} points at a running lab`,
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
    let got = '';
    let answered = false;
    // A 5xx (or no answer) is retried: a gateway may still be warming up; bounded to 5 tries.
    for (let attempt = 0; attempt < 5 && !answered; attempt += 1) {
      try {
        const response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
          headers: host ? { host } : {},
          signal: AbortSignal.timeout(3000),
          redirect: 'manual',
        });
        await response.arrayBuffer();
        answered = response.status < 500;
        got = `answered ${response.status} to GET ${path}${host ? ` (Host: ${host})` : ''}`;
      } catch (error) {
        got = fetchErrorText(error);
      }
      if (!answered) await sleep(500);
    }
    if (!answered) failures.push(`${name} (${url}): ${got}`);
  }
  if (failures.length > 0)
    throw new HarnessError(
      `ingress not answering the scenario's first path with a non-5xx status: ${failures.join('; ')}`,
      "check the environment's ingress settings and the scenario's paths and host; `chaos plan` shows the addresses",
    );
}

/** fetch says only "fetch failed": the reason (connection refused, a TLS error, a reset) is its cause. */
function fetchErrorText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${errorText(error)} (${cause})` : errorText(error);
}
