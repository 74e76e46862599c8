/**
 * The two servers every fault test runs against: the embedded lab (src/lab) and real
 * kube-apiservers with controllers and kwok (test/support/real-cluster.ts, one pair per test
 * process: test/support/shared-real-clusters.ts), both as two
 * clusters `central` and `west` carrying a Bank-of-Anthos-like app in `bank-of-anthos`.
 * Cases are written once against `FaultTestServer` and registered for each factory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { defaultProtectedPods, type Environment } from '../../../src/environment/types.js';
import { type ClusterApi, type ClusterApis } from '../../../src/kube/cluster-api.js';
import { connectEnvironment } from '../../../src/environment/connect.js';
import { startLab } from '../../../src/lab/index.js';
import { bankNamespace, type BankCluster } from '../../fixtures/real-api/bank-of-anthos.js';
import { resetBankOfAnthos, sharedRealClusters } from '../../support/shared-real-clusters.js';

export interface FaultTestServer {
  label: 'lab' | 'real';
  /** A scratch folder (kubeconfig files, environment file, reports); removed by stop(). */
  dir: string;
  environment: Environment;
  /** The environment as a file, for CLI commands (`--env <file>`). */
  environmentFile: string;
  apis: ClusterApis;
  namespace: string;
  /** The gateway-bound VirtualService routing frontend, as the server seeds it. */
  ingressVirtualService: { namespace: string; name: string };
  /** Whether autoscaling/v2 is served (both servers do; the lab seeds frontend's HPA). */
  servesHpa: boolean;
  /** The lab's ingress gateways by cluster (real loopback URLs); empty for the real tier, which has no data plane. */
  ingressUrls: Record<string, string>;
  stop(): Promise<void>;
}

export interface ServerFactory {
  label: string;
  /** Whether autoscaling/v2 is served (known before starting, to register cases). */
  servesHpa: boolean;
  /** Whether it takes CustomResourceDefinitions (the real tier; the lab serves KEDA's and Istio's built in). */
  installsCrds: boolean;
  start(): Promise<FaultTestServer>;
}

const clusterNames: readonly BankCluster[] = ['central', 'west'];

/** The lab's config propagation delay in fault tests: status convergence waits for it. */
const labPropagationDelayMs = 50;
/** The settle time declared for the real-API tier, which has no istiod to write status. */
const realSettleMs = 200;

function environmentOf(
  name: string,
  dir: string,
  kubeconfigs: Record<string, string>,
  contexts: Record<string, string>,
  istio: { convergence: 'status' | 'settle'; settleMs: number },
): { environment: Environment; file: string } {
  const clusters = clusterNames.map((cluster) => ({
    name: cluster,
    context: contexts[cluster]!,
    kubeconfig: kubeconfigs[cluster]!,
    ingress: { kind: 'url' as const, url: `http://127.0.0.1:9/${cluster}` },
  }));
  const environment: Environment = {
    file: path.join(dir, 'environment.yaml'),
    name,
    namespace: bankNamespace,
    clusters,
    allowContexts: clusters.map((cluster) => cluster.context),
    builtIn: false,
    istioConvergence: { kind: istio.convergence, settleMs: istio.settleMs },
    protectedPods: defaultProtectedPods,
  };
  const raw = {
    version: 1,
    name,
    namespace: bankNamespace,
    clusters: Object.fromEntries(
      clusters.map((cluster) => [
        cluster.name,
        { context: cluster.context, kubeconfig: cluster.kubeconfig, ingress: { url: cluster.ingress.url } },
      ]),
    ),
    allowContexts: environment.allowContexts,
    istio: { convergence: istio.convergence, settle: `${istio.settleMs}ms` },
  };
  writeFileSync(environment.file, stringify(raw));
  return { environment, file: environment.file };
}

/** The lab with a given config propagation delay (its status convergence waits for it). */
export function labServerWith(propagationDelayMs: number): ServerFactory {
  return {
    label: 'the lab',
    servesHpa: true,
    installsCrds: false,
    start: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'chaos-faults-lab-'));
      const lab = await startLab({
        ingressPort: 0,
        propagationDelayMs,
        timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 200 },
      });
      const kubeconfig = path.join(dir, 'kubeconfig.yaml');
      writeFileSync(kubeconfig, lab.kubeconfig(), { mode: 0o600 });
      const contexts = Object.fromEntries(lab.clusters.map((cluster) => [cluster.name, cluster.context]));
      // The lab writes VirtualService status after its propagation delay: convergence by status.
      const { environment, file } = environmentOf(
        'faults-lab',
        dir,
        { central: kubeconfig, west: kubeconfig },
        contexts,
        { convergence: 'status', settleMs: propagationDelayMs },
      );
      return {
        label: 'lab',
        dir,
        environment,
        environmentFile: file,
        apis: connectEnvironment(environment, { requestTimeoutMs: 10_000 }),
        namespace: lab.namespace,
        ingressVirtualService: { namespace: lab.namespace, name: 'frontend-ingress' },
        servesHpa: true,
        ingressUrls: Object.fromEntries(lab.clusters.map((cluster) => [cluster.name, cluster.ingressUrl])),
        stop: async () => {
          await lab.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const labServer: ServerFactory = labServerWith(labPropagationDelayMs);

export const realServer: ServerFactory = {
  label: 'a real kube-apiserver',
  servesHpa: true,
  installsCrds: true,
  start: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-faults-real-'));
    // Booted once per test process and lent to each file, reset to a fresh Bank of Anthos here.
    const clusters = await sharedRealClusters(clusterNames, { controllers: true, nodes: 2 });
    const kubeconfigs: Record<string, string> = {};
    const contexts: Record<string, string> = {};
    for (const cluster of clusters) {
      contexts[cluster.name] = `real-${cluster.name}`;
      kubeconfigs[cluster.name] = path.join(dir, `${cluster.name}.kubeconfig`);
      writeFileSync(kubeconfigs[cluster.name]!, cluster.kubeconfigYaml(contexts[cluster.name]), { mode: 0o600 });
    }
    await Promise.all(clusters.map((cluster) => resetBankOfAnthos(cluster, cluster.name as BankCluster)));
    // No istiod: no status, so a short declared settle time.
    const { environment, file } = environmentOf('faults-real', dir, kubeconfigs, contexts, {
      convergence: 'settle',
      settleMs: realSettleMs,
    });
    return {
      label: 'real',
      dir,
      environment,
      environmentFile: file,
      apis: connectEnvironment(environment, { requestTimeoutMs: 10_000 }),
      namespace: bankNamespace,
      ingressVirtualService: { namespace: bankNamespace, name: 'frontend-ingress' },
      servesHpa: true,
      ingressUrls: {},
      // The clusters are lent (sharedRealClusters): the next file resets them, the process ends them.
      stop: async () => {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const serverFactories: readonly ServerFactory[] = [labServer, realServer];

export function apiOf(server: FaultTestServer, cluster: string): ClusterApi {
  const api = server.apis.get(cluster);
  if (!api) throw new Error(`no cluster ${cluster} in ${server.label}`);
  return api;
}

/** Where a cluster's API is and how to authenticate, read back from its kubeconfig file. */
export function endpointOf(
  server: FaultTestServer,
  cluster: string,
): { server: string; caPem: string; token: string; context: string } {
  const entry = server.environment.clusters.find((candidate) => candidate.name === cluster);
  if (!entry?.kubeconfig) throw new Error(`no kubeconfig for cluster ${cluster}`);
  const config = new KubeConfig();
  config.loadFromFile(entry.kubeconfig);
  config.setCurrentContext(entry.context);
  const kubeCluster = config.getCurrentCluster();
  const token = config.getCurrentUser()?.token;
  if (!kubeCluster?.caData || !token) throw new Error(`kubeconfig of ${cluster} lacks CA data or token`);
  return {
    server: kubeCluster.server,
    caPem: Buffer.from(kubeCluster.caData, 'base64').toString('utf8'),
    token,
    context: entry.context,
  };
}

/**
 * One `describe` per server (lab, real): the server starts before its cases and stops after
 * them; `live()` is the running server (throws when it did not start).
 */
export function describeForEachServer(
  title: (label: string) => string,
  cases: (live: () => FaultTestServer, factory: ServerFactory) => void,
  options: { timeoutMs?: number } = {},
): void {
  for (const factory of serverFactories) {
    describe(title(factory.label), function () {
      this.timeout(options.timeoutMs ?? 180_000);
      let server: FaultTestServer | undefined;
      before(async function () {
        this.timeout(600_000);
        server = await factory.start();
      });
      after(async function () {
        this.timeout(60_000);
        await server?.stop();
      });
      cases(() => server ?? expectedRunning(factory.label), factory);
    });
  }
}

function expectedRunning(label: string): never {
  throw new Error(`${label} did not start`);
}
