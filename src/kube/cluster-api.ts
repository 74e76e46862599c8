/**
 * One cluster's typed API: everything the faults, the lock and the runner call, with one
 * KubeConfig behind it. Build one per cluster of the environment with `connectEnvironment`
 * (src/environment/connect.ts).
 */
import { createCaller } from './call.js';
import { createCoordinationCalls, type CoordinationCalls } from './coordination-calls.js';
import { createEventCalls, type EventCalls } from './event-calls.js';
import { createIstioCalls, type IstioCalls } from './istio-calls.js';
import { createKedaCalls, type KedaCalls } from './keda-calls.js';
import { loadKubeConfig, serverOf, type ClusterConnection } from './kube-config.js';
import { createPodNodeCalls, type PodNodeCalls } from './pod-node-calls.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { createWatchCalls, type WatchCalls } from './watch-calls.js';
import { createWorkloadCalls, type WorkloadCalls } from './workload-calls.js';

export interface ClusterApi
  extends WorkloadCalls, PodNodeCalls, IstioCalls, KedaCalls, CoordinationCalls, EventCalls, WatchCalls {
  /** Logical cluster name from the environment (central, west). */
  readonly cluster: string;
  readonly context: string;
  /** API server URL, for messages. */
  readonly server: string;
  /** The retry bounds of this client, for callers that re-read and re-decide. */
  readonly retry: RetryPolicy;
}

export interface ClusterApiOptions {
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (default 15 s). */
  requestTimeoutMs?: number;
  cwd?: string;
}

export function createClusterApi(connection: ClusterConnection, options: ClusterApiOptions = {}): ClusterApi {
  const config = loadKubeConfig(connection, options.cwd);
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const caller = createCaller(connection.cluster, connection.context, retry, options.requestTimeoutMs ?? 15_000);
  return {
    cluster: connection.cluster,
    context: connection.context,
    server: serverOf(config),
    retry,
    ...createWorkloadCalls(config, caller),
    ...createPodNodeCalls(config, caller),
    ...createIstioCalls(config, caller),
    ...createKedaCalls(config, caller),
    ...createCoordinationCalls(config, caller),
    ...createEventCalls(config, caller),
    ...createWatchCalls(config),
  };
}

/** Clients of an environment, by logical cluster name. */
export type ClusterApis = ReadonlyMap<string, ClusterApi>;
