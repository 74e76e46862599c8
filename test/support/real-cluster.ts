/**
 * A real Kubernetes control plane for tests: etcd + kube-apiserver on free loopback ports, token
 * auth, a self-signed serving certificate (its CA goes into the kubeconfig, so client-node needs
 * no skipTLSVerify), Istio's CRDs installed; optionally kube-controller-manager, kube-scheduler
 * and kwok with simulated Nodes, so Deployments make Pods that become Ready and EndpointSlices
 * follow. Binaries come from `.tools/bin` (scripts/build-kube-tools.sh); missing ones fail.
 *
 *   const [central] = await startRealClusters(['central'], { controllers: true, nodes: 2 });
 *   try { ... central.kubeconfigYaml('central') ... } finally { await central.stop(); }
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { installCrds } from './real-crds.js';
import { startControllers } from './real-controllers.js';
import { rawRequest, waitFor, type ApiEndpoint } from './real-http.js';
import { freeLoopbackPort, ProcessSandbox } from './real-processes.js';
import { findKubeTools, type KubeTools } from './real-tools.js';

export interface RealClusterOptions {
  /** Start kube-controller-manager, kube-scheduler and kwok (default false). */
  controllers?: boolean;
  /** Simulated Nodes managed by kwok (default 2 with controllers, else 0). */
  nodes?: number;
  /** Install Istio's CRDs (default true). */
  istioCrds?: boolean;
}

export interface RealCluster extends ApiEndpoint {
  name: string;
  /** base64 of the CA PEM, as a kubeconfig's certificate-authority-data. */
  caData: string;
  binDir: string;
  /** The sandbox folder (removed by stop()). */
  dir: string;
  /** Names of the simulated Nodes (empty without controllers). */
  nodeNames: string[];
  kubeconfigYaml(contextName?: string): string;
  /** Pids of every process of this cluster, for leak checks. */
  pids(): number[];
  stop(): Promise<void>;
}

const startupTimeoutMs = Number(process.env.CHAOS_REAL_STARTUP_TIMEOUT_MS ?? 180_000);

/** Starts clusters side by side; if one fails, the others are stopped before the error is thrown. */
export async function startRealClusters(
  names: readonly string[],
  options: RealClusterOptions = {},
): Promise<RealCluster[]> {
  const tools = findKubeTools();
  const results = await Promise.allSettled(names.map((name) => startOne(name, tools, options)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    throw failure.reason;
  }
  return results.map((result) => (result as PromiseFulfilledResult<RealCluster>).value);
}

export async function startRealCluster(name: string, options: RealClusterOptions = {}): Promise<RealCluster> {
  const [cluster] = await startRealClusters([name], options);
  if (!cluster) throw new Error('no cluster started');
  return cluster;
}

/** One retry, only when another process took a port between our probe and the bind. */
async function startOne(name: string, tools: KubeTools, options: RealClusterOptions): Promise<RealCluster> {
  for (let attempt = 1; ; attempt += 1) {
    const sandbox = new ProcessSandbox(name);
    try {
      return await bootCluster(name, tools, options, sandbox);
    } catch (error) {
      await sandbox.stop();
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (!portTaken || attempt >= 2) throw error;
    }
  }
}

async function bootCluster(
  name: string,
  tools: KubeTools,
  options: RealClusterOptions,
  sandbox: ProcessSandbox,
): Promise<RealCluster> {
  const dir = sandbox.dir;
  const token = randomBytes(24).toString('hex');
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},chaos-admin,chaos-admin-uid,"system:masters"\n`, {
    mode: 0o600,
  });
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(path.join(dir, 'sa.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));

  const etcdPort = await freeLoopbackPort();
  const peerPort = await freeLoopbackPort();
  const apiPort = await freeLoopbackPort();
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = sandbox.start('etcd', tools.etcd, [
    '--name=etcd0',
    `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=etcd0=http://127.0.0.1:${peerPort}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor(
    `etcd of ${name} to answer /health`,
    async () => {
      if (etcd.state() !== 'running') throw new Error(`etcd ended (${etcd.state()}):\n${sandbox.logTail('etcd')}`);
      const response = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      return response.ok ? true : undefined;
    },
    { timeoutMs: startupTimeoutMs, describe: () => sandbox.logTail('etcd', 5) },
  );

  const server = `https://127.0.0.1:${apiPort}`;
  const apiserver = sandbox.start('kube-apiserver', tools.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    // Without it the apiserver looks for a default route, which test hosts may not have.
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${path.join(dir, 'pki')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--authorization-mode=RBAC',
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    // No token controller issues ServiceAccounts' tokens here, as in envtest.
    '--disable-admission-plugins=ServiceAccount',
    // The kubernetes Service's endpoints would be 127.0.0.1, which Endpoints validation rejects.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    '--profiling=false',
  ]);
  const caFile = path.join(dir, 'pki', 'apiserver.crt');
  const endpoint: ApiEndpoint = { server, token, caPem: '' };
  await waitFor(
    `kube-apiserver of ${name} to report /readyz ok`,
    async () => {
      if (apiserver.state() !== 'running') {
        throw new Error(`kube-apiserver ended (${apiserver.state()}):\n${sandbox.logTail('kube-apiserver')}`);
      }
      if (!endpoint.caPem) endpoint.caPem = readFileSync(caFile, 'utf8');
      const response = await rawRequest(endpoint, {
        method: 'GET',
        path: '/readyz',
        accept: 'text/plain',
        timeoutMs: 5_000,
      });
      return response.status === 200 && response.text.trim() === 'ok' ? true : undefined;
    },
    { timeoutMs: startupTimeoutMs, intervalMs: 500, describe: () => sandbox.logTail('kube-apiserver', 5) },
  );

  const caData = Buffer.from(endpoint.caPem).toString('base64');
  const kubeconfigYaml = (contextName = name): string => renderKubeconfig(contextName, server, caData, token);
  if (options.istioCrds !== false) await installCrds(endpoint, tools.istioCrds, startupTimeoutMs);

  let nodeNames: string[] = [];
  if (options.controllers) {
    const kubeconfigFile = path.join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfigFile, kubeconfigYaml('components'), { mode: 0o600 });
    nodeNames = await startControllers({
      clusterName: name,
      tools,
      sandbox,
      endpoint,
      kubeconfigFile,
      nodes: options.nodes ?? 2,
      timeoutMs: startupTimeoutMs,
    });
  }

  return {
    name,
    server,
    token,
    caPem: endpoint.caPem,
    caData,
    binDir: tools.binDir,
    dir,
    nodeNames,
    kubeconfigYaml,
    pids: () => sandbox.pids(),
    stop: () => sandbox.stop(),
  };
}

export function renderKubeconfig(contextName: string, server: string, caData: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'certificate-authority-data': caData } }],
    users: [{ name: contextName, user: { token } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    'current-context': contextName,
    preferences: {},
  });
}
