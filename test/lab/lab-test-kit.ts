/**
 * Helpers for the lab's tests: a lab with free ports, one client-node KubeConfig per cluster,
 * and bounded loops of real HTTP requests to the lab's loopback ingresses.
 */
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startLab, type LabOptions, type RunningLab } from '../../src/lab/index.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A lab on free ports (a `chaos lab up` may hold 8080), reporting controller errors to the test. */
export async function startTestLab(options: LabOptions = {}): Promise<{ lab: RunningLab; errors: string[] }> {
  const errors: string[] = [];
  const lab = await startLab({
    ingressPort: 0,
    ...options,
    onEvent: (event) => errors.push(`${event.cluster} ${event.controller} ${event.key}: ${event.message}`),
  });
  watchPods(lab);
  return { lab, errors };
}

/** The header the lab's gateways add (deploy/served-by-envoyfilter.yaml): the upstream Pod's ip:port. */
export const upstreamHeader = 'x-chaos-upstream-host';

/**
 * The test's own map of Pod addresses, as the harness's is made of EndpointSlices: every Pod
 * listener of the labs started here, remembered after the Pod is gone (its answers may still
 * be arriving). A new lab starts a new map: its addresses may be an earlier lab's.
 */
let watched: RunningLab[] = [];
const podsByAddress = new Map<string, { cluster: string; pod: string }>();

function watchPods(lab: RunningLab): void {
  watched = [lab];
  podsByAddress.clear();
}

/** Who served an answer: the Pod behind its upstream-address header (empty on a local reply). */
function servedBy(headers: Sample['headers']): { cluster: string; pod: string } {
  const address = headers[upstreamHeader];
  if (typeof address !== 'string') return { cluster: '', pod: '' };
  if (!podsByAddress.has(address))
    for (const listener of watched.flatMap((lab) => lab.listeners()))
      if (listener.kind === 'pod')
        podsByAddress.set(`${listener.address}:${listener.port}`, { cluster: listener.cluster, pod: listener.name });
  return podsByAddress.get(address) ?? { cluster: `unknown ${address}`, pod: `unknown ${address}` };
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  policy: PolicyV1Api;
}

export function clientsFor(lab: RunningLab, cluster: string, token = lab.token): Clients {
  const kc = new KubeConfig();
  kc.loadFromString(lab.kubeconfig().replace(lab.token, token));
  kc.setCurrentContext(`lab-${cluster}`);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    policy: kc.makeApiClient(PolicyV1Api),
  };
}

export const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
export const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export function ingressOf(lab: RunningLab, cluster: string): string {
  const found = lab.clusters.find((c) => c.name === cluster);
  if (!found) throw new Error(`no cluster ${cluster}`);
  return found.ingressUrl;
}

export interface Sample {
  start: number;
  end: number;
  ms: number;
  status: number;
  /** The cluster and Pod that served it, from the upstream-address header; empty on a local reply. */
  cluster: string;
  pod: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One GET through an ingress; a transport error becomes status 0. */
export function get(
  base: string,
  path = '/',
  timeoutMs = 10_000,
  host = 'frontend.lab.local',
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Sample> {
  const url = new URL(path, base);
  const start = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, headers: Sample['headers'], body: string): void => {
      const end = performance.now();
      resolve({
        start,
        end,
        ms: end - start,
        status,
        headers,
        body,
        ...servedBy(headers),
      });
    };
    const headers = { host, ...options.headers };
    const req = request(url, { agent, method: options.method ?? 'GET', headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => done(0, {}, ''));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0, {}, ''));
    req.end();
  });
}

/** `count` requests one after another (bounded by count and by `budgetMs`). */
export async function sequential(
  base: string,
  path: string,
  count: number,
  budgetMs = 60_000,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + budgetMs;
  for (let i = 0; i < count && performance.now() < deadline; i += 1)
    samples.push(await get(base, path, 10_000, 'frontend.lab.local', options));
  return samples;
}

/** A logged-in user of the lab's frontend (any token cookie will do, as any valid JWT would). */
export const session = { headers: { cookie: 'token=lab-test' } };

/**
 * A closed loop that runs until told to stop (or `maxRequests`), its samples visible as they
 * come: tests wait on what the samples show, not on time passing.
 */
export function runningLoop(
  base: string,
  path: string,
  workers: number,
  maxRequests = 5000,
): { samples: Sample[]; stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped && samples.length < maxRequests) samples.push(await get(base, path));
  };
  const done = Promise.all(Array.from({ length: workers }, loop));
  return {
    samples,
    stop: async () => {
      stopped = true;
      await done;
      return samples;
    },
  };
}

/**
 * Open loop, like k6's constant-arrival-rate: `ratePerSecond` requests start on schedule for
 * `durationMs`, whether or not earlier ones have answered (so queueing shows as latency).
 */
export async function openLoop(
  base: string,
  path: string,
  ratePerSecond: number,
  durationMs: number,
): Promise<Sample[]> {
  const pending: Promise<Sample>[] = [];
  const started = performance.now();
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  while (pending.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSecond) / 1000) + 1);
    while (pending.length < due) pending.push(get(base, path));
    await sleep(2);
  }
  return Promise.all(pending);
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export const median = (samples: readonly Sample[]): number =>
  quantile(
    samples.map((s) => s.ms),
    0.5,
  );

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function scale(
  clients: Clients,
  namespace: string,
  name: string,
  replicas: number,
  kind: 'Deployment' | 'StatefulSet' = 'Deployment',
): Promise<void> {
  const body = { spec: { replicas } };
  if (kind === 'Deployment') await clients.apps.patchNamespacedDeploymentScale({ name, namespace, body }, merge);
  else await clients.apps.patchNamespacedStatefulSetScale({ name, namespace, body }, merge);
}

/** Ready Pods of an app in one cluster. */
export async function readyPods(clients: Clients, namespace: string, app: string): Promise<string[]> {
  const pods = await clients.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return pods.items
    .filter(
      (pod) =>
        !pod.metadata?.deletionTimestamp &&
        pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((pod) => pod.metadata?.name ?? '');
}
