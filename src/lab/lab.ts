/**
 * startLab: the embedded multi-cluster mesh in this process. Gateways listen first (their
 * addresses go into each cluster's LoadBalancer status), clusters are seeded from the
 * topology, the mesh's control plane reads them, then API servers and controllers start.
 * It resolves once every workload is ready and the mesh knows its endpoints.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { errorText, HarnessError } from '../errors/errors.js';
import { createCertificates } from './certs.js';
import { renderKubeconfig } from './kubeconfig.js';
import { defaultIngressHost, defaultIngressPort } from './addresses.js';
import { Random } from './random.js';
import { readTopology, type Topology } from './topology/read-topology.js';
import { seedCluster } from './topology/seed-cluster.js';
import { ControlPlane } from './mesh/control-plane.js';
import { UpstreamClient } from './mesh/upstream.js';
import { startGateway, type RunningGateway } from './mesh/gateway.js';
import { gatewayProxy, podRuntime, type DataPlaneOptions } from './mesh/data-plane.js';
import { gatewayPodLog } from './mesh/access-log.js';
import type { ServiceBehaviour } from './mesh/pod-server.js';
import { createClusterState, startClusterRuntime, type ClusterRuntime, type ClusterState } from './cluster-runtime.js';
import { keys } from './api/resource-types.js';
import type { Workload } from './api/object-types.js';
import type { LabCluster, LabListener, LabOptions, RunningLab } from './types.js';
import { sleep } from '../system/sleep.js';

const defaultTiming = { startupMs: 300, readinessMs: 200, terminationGraceMs: 1000, autoscalerSyncMs: 15_000 };
const defaultPropagationDelayMs = 500;

function workloadsReady(states: readonly ClusterState[], controlPlane: ControlPlane, topology: Topology): boolean {
  for (const state of states) {
    for (const key of [keys.deployments, keys.statefulsets]) {
      for (const workload of state.api.store.peekAll<Workload>(key)) {
        const ready = (workload.status?.readyReplicas as number | undefined) ?? 0;
        if (ready < workload.spec.replicas) return false;
      }
    }
  }
  return topology.services.every((service) => {
    const expected = Object.values(service.replicas).reduce((sum, n) => sum + n, 0);
    // Every cluster's proxies have been pushed every endpoint (each istiod is up and has pushed).
    return states.every(
      (state) => controlPlane.endpoints(`${topology.namespace}/${service.name}`, state.name).length >= expected,
    );
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new HarnessError(`the lab did not become ready within ${timeoutMs} ms: ${what}`);
    await sleep(25);
  }
}

export async function startLab(options: LabOptions = {}): Promise<RunningLab> {
  const topology = readTopology(options.topologyPath);
  const timing = { ...defaultTiming, ...options.timing };
  const propagationDelayMs = options.propagationDelayMs ?? defaultPropagationDelayMs;
  const apiHost = options.apiHost ?? '127.0.0.1';
  const token = randomBytes(24).toString('hex');
  const random = new Random(options.seed ?? 1);
  const stop = new AbortController();
  // Every in-flight sleep and request listens for the lab stopping: no listener limit applies.
  setMaxListeners(0, stop.signal);
  const controllerErrors =
    (cluster: string) =>
    (controller: string, key: string, error: unknown): void =>
      options.onEvent?.({ kind: 'controller-error', cluster, controller, key, message: errorText(error) });
  const gateways: RunningGateway[] = [];
  const runtimes: ClusterRuntime[] = [];
  let controlPlane: ControlPlane | undefined;
  const upstream = new UpstreamClient();

  const shutdown = async (): Promise<void> => {
    stop.abort();
    controlPlane?.stop();
    for (const runtime of runtimes) runtime.stopControllers();
    await Promise.all([...gateways.map((g) => g.close()), ...runtimes.map((r) => r.api.close())]);
    upstream.close();
  };

  try {
    const certs = await createCertificates([apiHost]);
    gateways.push(...(await startGateways(topology, options)));
    const states = topology.clusters.map((cluster, index) =>
      createClusterState(cluster.name, index, options.watchHistoryLimit, controllerErrors(cluster.name)),
    );
    controlPlane = seedClusters(topology, states, gateways, propagationDelayMs);
    const behaviours = new Map<string, ServiceBehaviour>(
      topology.services.map((service) => [service.name, service.behaviour]),
    );
    for (const state of states) {
      const plane: DataPlaneOptions = {
        cluster: state.name,
        controlPlane,
        upstream,
        random,
        interRegionLatencyMs: topology.interRegionLatencyMs,
        behaviours,
        stop: stop.signal,
        store: state.api.store,
        logs: state.api.logs,
      };
      (gateways[state.index] as RunningGateway).attach(
        gatewayProxy(plane, topology.ingress.service),
        gatewayPodLog(state.api.store, state.api.logs, topology.ingress.namespace),
      );
      runtimes.push(
        await startClusterRuntime({
          state,
          apiHost,
          apiPort: options.apiPorts?.[state.name] ?? 0,
          token,
          tls: { cert: certs.certPem, key: certs.keyPem },
          timing,
          autoscalerSyncMs: timing.autoscalerSyncMs,
          runtime: podRuntime(plane),
          onError: controllerErrors(state.name),
        }),
      );
    }
    const plane = controlPlane;
    if (options.waitReady !== false)
      await waitUntil(
        () => workloadsReady(states, plane, topology),
        options.readyTimeoutMs ?? 30_000,
        'workloads or endpoints not ready',
      );
    return describeLab({ topology, runtimes, gateways, caPem: certs.caPem, token }, shutdown);
  } catch (error) {
    await shutdown();
    throw error;
  }
}

/** Each cluster's ingress gateway listens first: its address goes into the cluster's LoadBalancer status. */
async function startGateways(topology: Topology, options: LabOptions): Promise<RunningGateway[]> {
  const gateways: RunningGateway[] = [];
  const taken = new Set<string>();
  for (const [index, cluster] of topology.clusters.entries()) {
    const addresses = options.ingressAddresses;
    const host =
      options.ingressHosts?.[cluster.name] ??
      (addresses && addresses.length > 0
        ? (addresses[Math.min(index, addresses.length - 1)] as string)
        : defaultIngressHost(index));
    let port = defaultIngressPort(index, options.ingressPort ?? 8080);
    // Clusters sharing one address need distinct ports (0 is always free to repeat).
    while (port !== 0 && taken.has(`${host}:${port}`)) port += 1;
    taken.add(`${host}:${port}`);
    try {
      gateways.push(await startGateway(cluster.name, host, port));
    } catch (error) {
      await Promise.all(gateways.map((gateway) => gateway.close()));
      const code = (error as NodeJS.ErrnoException).code;
      throw new HarnessError(
        `cannot listen for the ${cluster.name} ingress on ${host}:${port}: ${code ?? errorText(error)}`,
        code === 'EADDRINUSE'
          ? 'another lab may be running (chaos lab status), or pick other ports: --ingress-port 0 (CHAOS_LAB_INGRESS_PORT=0) takes free ones'
          : 'on Linux any 127.x.y.z works; elsewhere use 127.0.0.1 with distinct ports',
      );
    }
  }
  return gateways;
}

/** What a started lab is made of, for its description. */
interface LabParts {
  topology: Topology;
  runtimes: readonly ClusterRuntime[];
  gateways: readonly RunningGateway[];
  caPem: string;
  token: string;
}

/** The started lab as its users see it: clusters, kubeconfig, listeners, and a stop that runs once. */
function describeLab(parts: LabParts, shutdown: () => Promise<void>): RunningLab {
  const { topology, runtimes, gateways, caPem, token } = parts;
  const clusters: LabCluster[] = topology.clusters.map((cluster, index) => ({
    name: cluster.name,
    context: `lab-${cluster.name}`,
    apiUrl: (runtimes[index] as ClusterRuntime).api.url,
    ingressUrl: (gateways[index] as RunningGateway).url,
  }));
  let stopped: Promise<void> | undefined;
  return {
    clusters,
    token,
    caPem,
    namespace: topology.namespace,
    kubeconfig: () =>
      renderKubeconfig(
        clusters.map((c) => ({ context: c.context, apiUrl: c.apiUrl })),
        caPem,
        token,
      ),
    listeners: () => labListeners(topology, runtimes, gateways),
    stop: () => (stopped ??= shutdown()),
  };
}

/** Every real listener of the lab: API servers, ingress gateways, Pods. */
function labListeners(
  topology: Topology,
  runtimes: readonly ClusterRuntime[],
  gateways: readonly RunningGateway[],
): LabListener[] {
  return topology.clusters.flatMap((cluster, index): LabListener[] => {
    const runtime = runtimes[index] as ClusterRuntime;
    const gateway = gateways[index] as RunningGateway;
    return [
      {
        kind: 'api',
        cluster: cluster.name,
        name: 'kube-apiserver',
        address: runtime.api.address.address,
        port: runtime.api.address.port,
      },
      {
        kind: 'ingress',
        cluster: cluster.name,
        name: topology.ingress.service,
        address: gateway.address.address,
        port: gateway.address.port,
      },
      ...runtime.podListeners().map((pod): LabListener => ({
        kind: 'pod',
        cluster: cluster.name,
        name: pod.pod,
        address: pod.ip,
        port: pod.port,
      })),
    ];
  });
}

/** Seeds each cluster from the topology (its ingress address in the LoadBalancer status); the mesh reads them all. */
function seedClusters(
  topology: Topology,
  states: readonly ClusterState[],
  gateways: readonly RunningGateway[],
  propagationDelayMs: number,
): ControlPlane {
  for (const state of states) {
    const gateway = gateways[state.index] as RunningGateway;
    seedCluster(state.api, topology, state.index, {
      ingressHost: gateway.address.address,
      ingressPort: gateway.address.port,
    });
  }
  return new ControlPlane(
    topology.clusters.map((cluster, index) => ({
      locality: { name: cluster.name, region: cluster.region, zone: cluster.zone },
      store: (states[index] as ClusterState).api.store,
    })),
    propagationDelayMs,
  );
}
