/**
 * One KubeConfig per cluster, never mutated after it is built: client-node's makeApiClient
 * captures the server URL when the client is made but reads the credentials of the *current*
 * context at request time, so switching contexts on a shared KubeConfig would send one
 * cluster's token to another cluster's URL. Exec auth plugins (gke-gcloud-auth-plugin, …)
 * are run by client-node itself at request time, so they work unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { errorText, InputError } from '../errors/errors.js';

/** Where a cluster's credentials come from. */
export type KubeconfigSource =
  /** Kubeconfig file(s): `~` expanded, a `:`-separated list merged as kubectl does; relative to `cwd`. */
  | { kind: 'file'; file: string }
  /** A kubeconfig document held in memory (tests, `chaos lab up` in process). */
  | { kind: 'yaml'; yaml: string }
  /** The default chain, as kubectl: $KUBECONFIG (a list; missing files skipped), else ~/.kube/config. */
  | { kind: 'default' }
  /**
   * The cluster this process runs in (a CronJob's Pod): the ServiceAccount token and CA under
   * `root` (default $CHAOS_SERVICEACCOUNT_DIR — a test and debugging hook — else
   * /var/run/secrets/kubernetes.io/serviceaccount), the API at
   * $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the server checked against ca.crt.
   */
  | { kind: 'in-cluster'; root?: string };

export interface ClusterConnection {
  /** Logical name from the environment, e.g. central. */
  cluster: string;
  context: string;
  source: KubeconfigSource;
}

const serviceAccountRoot = '/var/run/secrets/kubernetes.io/serviceaccount';

/** `~` and `~/…` are the home directory, as in a shell (kubectl's --kubeconfig gets it expanded by the shell). */
export function expandHome(file: string, home = homedir()): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return path.join(home, file.slice(2));
  return file;
}

/**
 * The files of a kubeconfig path list, as kubectl reads $KUBECONFIG: split on ':' (';' on
 * Windows), `~` expanded, relative to `cwd`, empty entries and files that do not exist skipped.
 */
export function kubeconfigFiles(list: string, cwd: string, home = homedir()): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const entry of list.split(path.delimiter).filter((part) => part.trim() !== '')) {
    const file = path.resolve(cwd, expandHome(entry.trim(), home));
    if (files.includes(file)) continue;
    (existsSync(file) ? files : missing).push(file);
  }
  return { files, missing };
}

/**
 * Merge kubeconfig files as kubectl does: the first file to name a cluster, user or context
 * wins, and so does the first current-context. (client-node's own merge throws on duplicates
 * and lets the last current-context win.)
 */
export function mergeKubeconfigFiles(files: readonly string[]): KubeConfig {
  const clusters: Cluster[] = [];
  const users: User[] = [];
  const contexts: Context[] = [];
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfig();
    one.loadFromFile(file);
    for (const cluster of one.getClusters()) if (!clusters.some((c) => c.name === cluster.name)) clusters.push(cluster);
    for (const user of one.getUsers()) if (!users.some((u) => u.name === user.name)) users.push(user);
    for (const context of one.getContexts()) if (!contexts.some((c) => c.name === context.name)) contexts.push(context);
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters, users, contexts, currentContext });
  return merged;
}

function inClusterConfig(context: string, root: string): KubeConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    throw new Error('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: not running in a Pod');
  for (const file of ['token', 'ca.crt'])
    if (!existsSync(path.join(root, file))) throw new Error(`no ServiceAccount ${file} at ${path.join(root, file)}`);
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const namespaceFile = path.join(root, 'namespace');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: path.join(root, 'ca.crt'), skipTLSVerify: false }],
    // client-node re-reads a token file when it changes (projected tokens rotate).
    users: [
      { name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(root, 'token') } } },
    ],
    contexts: [
      {
        name: context,
        cluster: 'in-cluster',
        user: 'service-account',
        namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined,
      },
    ],
    currentContext: context,
  });
  return config;
}

export function loadKubeConfig(connection: ClusterConnection, cwd = process.cwd()): KubeConfig {
  let config = new KubeConfig();
  const where = describeSource(connection.source);
  try {
    switch (connection.source.kind) {
      case 'file': {
        const { files, missing } = kubeconfigFiles(connection.source.file, cwd);
        // An explicit kubeconfig must exist (kubectl --kubeconfig); in a list, missing ones are skipped.
        if (files.length === 0) throw new Error(`no such file: ${missing.join(', ')}`);
        config = mergeKubeconfigFiles(files);
        break;
      }
      case 'yaml':
        config.loadFromString(connection.source.yaml);
        break;
      case 'default': {
        const list = process.env.KUBECONFIG;
        const { files } = list
          ? kubeconfigFiles(list, cwd)
          : kubeconfigFiles(path.join(homedir(), '.kube', 'config'), cwd);
        if (files.length === 0)
          throw new Error(list ? `none of the files in KUBECONFIG exists (${list})` : 'no ~/.kube/config');
        config = mergeKubeconfigFiles(files);
        break;
      }
      case 'in-cluster':
        config = inClusterConfig(
          connection.context,
          connection.source.root ?? process.env.CHAOS_SERVICEACCOUNT_DIR ?? serviceAccountRoot,
        );
        break;
    }
  } catch (error) {
    throw new InputError(
      `cannot read the kubeconfig of cluster ${connection.cluster} from ${where}: ${errorText(error)}`,
      [],
      connection.source.kind === 'in-cluster'
        ? 'inCluster: true works inside a Pod with a ServiceAccount token (the CronJob of deploy/cronjob.yaml)'
        : 'check the kubeconfig path in the environment file, --kubeconfig, or $KUBECONFIG',
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
    case 'in-cluster':
      return "the Pod's ServiceAccount (inCluster)";
  }
}

/** The API server URL a KubeConfig talks to, for messages and manual commands. */
export function serverOf(config: KubeConfig): string {
  return config.getCurrentCluster()?.server ?? '(unknown server)';
}
