/**
 * From an environment to API clients: one per cluster, each with its own kubeconfig source
 * (the file the environment names, a document held in memory such as the lab's, or the
 * default chain). Reads kubeconfigs; contacts nothing yet.
 */
import { createClusterApi, type ClusterApi, type ClusterApiOptions, type ClusterApis } from '../kube/cluster-api.js';
import type { ClusterConnection, KubeconfigSource } from '../kube/kube-config.js';
import type { Environment } from './types.js';

export interface ConnectOptions extends ClusterApiOptions {
  /** Use this kubeconfig document for every cluster instead of the files the environment names. */
  kubeconfigYaml?: string;
}

/** One client per cluster of the environment; reads kubeconfigs, contacts nothing yet. */
export function connectEnvironment(environment: Environment, options: ConnectOptions = {}): ClusterApis {
  const apis = new Map<string, ClusterApi>();
  for (const cluster of environment.clusters)
    apis.set(cluster.name, createClusterApi(connectionOf(environment, cluster.name, options.kubeconfigYaml), options));
  return apis;
}

/** How to reach one cluster of the environment. */
export function connectionOf(
  environment: Environment,
  clusterName: string,
  kubeconfigYaml?: string,
): ClusterConnection {
  const cluster = environment.clusters.find((candidate) => candidate.name === clusterName);
  if (!cluster) throw new Error(`cluster "${clusterName}" is not in environment "${environment.name}"`);
  const source: KubeconfigSource =
    kubeconfigYaml !== undefined
      ? { kind: 'yaml', yaml: kubeconfigYaml }
      : cluster.inCluster
        ? { kind: 'in-cluster' }
        : cluster.kubeconfig !== undefined
          ? { kind: 'file', file: cluster.kubeconfig }
          : { kind: 'default' };
  return { cluster: cluster.name, context: cluster.context, source };
}
