/**
 * One KubeConfig per cluster, never mutated after it is built: client-node's makeApiClient
 * captures the server URL when the client is made but reads the credentials of the *current*
 * context at request time, so switching contexts on a shared KubeConfig would send one
 * cluster's token to another cluster's URL. Exec auth plugins (gke-gcloud-auth-plugin, …)
 * are run by client-node itself at request time, so they work unchanged.
 */
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { errorText, InputError } from '../errors/errors.js';

/** Where a cluster's credentials come from. */
export type KubeconfigSource =
  /** A kubeconfig file; relative paths are resolved against `cwd`. */
  | { kind: 'file'; file: string }
  /** A kubeconfig document held in memory (tests, `chaos lab up` in process). */
  | { kind: 'yaml'; yaml: string }
  /** The default chain: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  | { kind: 'default' };

export interface ClusterConnection {
  /** Logical name from the environment, e.g. central. */
  cluster: string;
  context: string;
  source: KubeconfigSource;
}

export function loadKubeConfig(connection: ClusterConnection, cwd = process.cwd()): KubeConfig {
  const config = new KubeConfig();
  const where = describeSource(connection.source);
  try {
    switch (connection.source.kind) {
      case 'file':
        config.loadFromFile(path.resolve(cwd, connection.source.file));
        break;
      case 'yaml':
        config.loadFromString(connection.source.yaml);
        break;
      case 'default':
        config.loadFromDefault();
        break;
    }
  } catch (error) {
    throw new InputError(
      `cannot read the kubeconfig of cluster ${connection.cluster} from ${where}: ${errorText(error)}`,
      [],
      'check the kubeconfig path in the environment file, or $KUBECONFIG',
    );
  }
  const known = config.getContexts().map((context) => context.name);
  if (!known.includes(connection.context)) {
    throw new InputError(
      `context "${connection.context}" of cluster ${connection.cluster} is not in ${where}`,
      [],
      known.length > 0 ? `contexts there: ${known.join(', ')}` : 'that kubeconfig has no contexts at all',
    );
  }
  config.setCurrentContext(connection.context);
  const server = config.getCurrentCluster()?.server;
  if (!server)
    throw new InputError(
      `context "${connection.context}" of cluster ${connection.cluster} names no cluster server in ${where}`,
    );
  return config;
}

function describeSource(source: KubeconfigSource): string {
  switch (source.kind) {
    case 'file':
      return `kubeconfig ${source.file}`;
    case 'yaml':
      return 'the given kubeconfig';
    case 'default':
      return 'the default kubeconfig ($KUBECONFIG or ~/.kube/config)';
  }
}

/** The API server URL a KubeConfig talks to, for messages and manual commands. */
export function serverOf(config: KubeConfig): string {
  return config.getCurrentCluster()?.server ?? '(unknown server)';
}
