/**
 * One cluster's typed API: everything the faults, the lock and the runner call, with one
 * KubeConfig behind it. Build one per cluster of the environment with `connectEnvironment`.
 */
import type { Environment } from '../environment/types.js';
import { createCaller } from './call.js';
import { createCoordinationCalls, type CoordinationCalls } from './coordination-calls.js';
import { createIstioCalls, type IstioCalls } from './istio-calls.js';
import { loadKubeConfig, serverOf, type ClusterConnection, type KubeconfigSource } from './kube-config.js';
import { createPodNodeCalls, type PodNodeCalls } from './pod-node-calls.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { createWorkloadCalls, type WorkloadCalls } from './workload-calls.js';

export interface ClusterApi extends WorkloadCalls, PodNodeCalls, IstioCalls, CoordinationCalls {
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
    ...createCoordinationCalls(config, caller),
  };
}

/** Clients of an environment, by logical cluster name. */
export type ClusterApis = ReadonlyMap<string, ClusterApi>;

export interface ConnectOptions extends ClusterApiOptions {
  /** Use this kubeconfig document for every cluster instead of the files the environment names. */
  kubeconfigYaml?: string;
}

/** One client per cluster of the environment; reads kubeconfigs, contacts nothing yet. */
export function connectEnvironment(environment: Environment, options: ConnectOptions = {}): ClusterApis {
  const apis = new Map<string, ClusterApi>();
  for (const cluster of environment.clusters) {
    const source: KubeconfigSource =
      options.kubeconfigYaml !== undefined
        ? { kind: 'yaml', yaml: options.kubeconfigYaml }
        : cluster.kubeconfig !== undefined
          ? { kind: 'file', file: cluster.kubeconfig }
          : { kind: 'default' };
    apis.set(cluster.name, createClusterApi({ cluster: cluster.name, context: cluster.context, source }, options));
  }
  return apis;
}
