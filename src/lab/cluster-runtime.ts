/**
 * One lab cluster at run time: its store, API endpoint and controllers (workloads, scheduler,
 * kubelets, EndpointSlices, disruption budgets, garbage collection, HPAs, KEDA ScaledObjects),
 * wired to the data plane.
 */
import { HarnessError } from '../errors/errors.js';
import { Allocator } from './api/admission.js';
import { ObjectStore } from './api/store.js';
import { PodLogs } from './api/pod-logs.js';
import { startApiServer, type RunningApiServer } from './api/server.js';
import type { ClusterApi } from './api/request-context.js';
import { startWorkloadControllers } from './controllers/workloads.js';
import { startScheduler } from './controllers/scheduler.js';
import { startKubelets, type KubeletTiming, type PodProcess, type PodRuntime } from './controllers/kubelet.js';
import { startEndpointSliceController } from './controllers/endpoint-slices.js';
import { startDisruptionController } from './controllers/disruption.js';
import { startGarbageCollector } from './controllers/garbage-collector.js';
import { startHorizontalPodAutoscalerController } from './controllers/horizontal-pod-autoscaler.js';
import { startScaledObjectController } from './controllers/keda-scaled-objects.js';
import type { ControllerErrorHandler } from './controllers/work-queue.js';
import { podIpAllocator } from './addresses.js';
import type { Pod } from './api/object-types.js';

export interface ClusterState {
  name: string;
  index: number;
  api: ClusterApi;
}

export function createClusterState(
  name: string,
  index: number,
  historyLimit: number | undefined,
  onError: ControllerErrorHandler,
): ClusterState {
  const store = new ObjectStore({ historyLimit, onListenerError: (error) => onError('store-listener', name, error) });
  return { name, index, api: { store, allocator: new Allocator(10 * (index + 1)), logs: new PodLogs() } };
}

export interface ClusterRuntimeOptions {
  state: ClusterState;
  apiHost: string;
  apiPort: number;
  token: string;
  tls: { cert: string; key: string };
  timing: KubeletTiming;
  /** The HPA controller's sync period (KCM's default: 15 s). */
  autoscalerSyncMs: number;
  runtime: PodRuntime;
  onError: ControllerErrorHandler;
}

interface PodListener {
  pod: string;
  ip: string;
  port: number;
}

export interface ClusterRuntime {
  api: RunningApiServer;
  /** Where each running Pod listens now. */
  podListeners(): PodListener[];
  stopControllers(): void;
}

/** Remembers where each Pod really listens, for the EndpointSlice controller. */
function trackPorts(runtime: PodRuntime): {
  runtime: PodRuntime;
  portOf: (pod: Pod) => number | undefined;
  listeners: () => PodListener[];
} {
  const ports = new Map<string, PodListener>();
  return {
    portOf: (pod) => ports.get(pod.metadata.uid)?.port,
    listeners: () => [...ports.values()],
    runtime: {
      start: async (pod, address): Promise<PodProcess> => {
        const process = await runtime.start(pod, address);
        ports.set(pod.metadata.uid, { pod: pod.metadata.name, ip: process.ip, port: process.port });
        const forget = (): void => {
          ports.delete(pod.metadata.uid);
        };
        return {
          ip: process.ip,
          port: process.port,
          drain: (graceMs) => process.drain(graceMs).finally(forget),
          kill: () => {
            process.kill();
            forget();
          },
        };
      },
    },
  };
}

export async function startClusterRuntime(options: ClusterRuntimeOptions): Promise<ClusterRuntime> {
  const { api: cluster } = options.state;
  const tracked = trackPorts(options.runtime);
  const stops = [
    startGarbageCollector(cluster, options.onError),
    startWorkloadControllers(cluster, options.onError),
    startScheduler(cluster, options.onError),
    startKubelets(cluster, {
      timing: options.timing,
      runtime: tracked.runtime,
      allocateIp: podIpAllocator(options.state.index),
      onError: options.onError,
    }),
    startEndpointSliceController(cluster, tracked.portOf, options.onError),
    startDisruptionController(cluster, options.onError),
    startHorizontalPodAutoscalerController(cluster, options.autoscalerSyncMs, options.onError),
    startScaledObjectController(cluster, options.onError),
  ];
  const stopControllers = (): void => {
    for (const stop of stops.reverse()) stop();
  };
  try {
    const api = await startApiServer({
      host: options.apiHost,
      port: options.apiPort,
      token: options.token,
      tls: options.tls,
      cluster,
    });
    return { api, stopControllers, podListeners: tracked.listeners };
  } catch (error) {
    stopControllers();
    const code = (error as NodeJS.ErrnoException).code;
    throw new HarnessError(
      `cannot listen for the ${options.state.name} API on ${options.apiHost}:${options.apiPort}: ${code ?? String(error)}`,
      'pick another port, or leave apiPorts unset for free ones',
    );
  }
}
