/**
 * How the CLI connects, as kubectl would, through the built CLI against two real
 * kube-apiservers (etcd + kube-apiserver each, loopback, their own CAs):
 *
 * - `inCluster: true`: the ServiceAccount folder of a Pod, simulated in a temp folder
 *   (CHAOS_SERVICEACCOUNT_DIR) with a TokenRequest token bound to a read-only ClusterRole, the
 *   server's CA and the namespace; the API at KUBERNETES_SERVICE_HOST/PORT. A wrong CA fails.
 * - `--kubeconfig a:b` and `--context CLUSTER=CONTEXT` on plan, validate --env and recover
 *   --dry-run: an environment file whose kubeconfig and context names are wrong is fixed by
 *   the flags alone. A `--context` naming no cluster of the environment is refused, named.
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { bankNamespace, bankOfAnthosManifests } from '../fixtures/real-api/bank-of-anthos.js';
import { runChaosAsync } from '../support/cli.js';
import { startRealClusters, type RealCluster } from '../support/real-cluster.js';
import { createManifests } from '../support/real-manifests.js';
import { writeScenario } from '../support/real-run.js';

/** The image central's frontend gets here: only a client that read central can print it. */
const centralImage = `registry.example/bank/frontend:in-cluster-${process.pid}`;
const westImage = 'registry.example/bank/frontend:1.0.0';
const parityLine = `parity frontend: images differ (central ${centralImage}, west ${westImage})`;

describe('connecting like kubectl, through the built CLI (real kube-apiservers)', function () {
  this.timeout(300_000);
  let central: RealCluster;
  let west: RealCluster;
  let dir: string;
  let scenario: string;

  const adminOf = (cluster: RealCluster): KubeConfig => {
    const config = new KubeConfig();
    config.loadFromString(cluster.kubeconfigYaml());
    return config;
  };

  before(async function () {
    this.timeout(600_000);
    [central, west] = (await startRealClusters(['central', 'west'])) as [RealCluster, RealCluster];
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-connection-flags-'));
    for (const cluster of [central, west])
      await createManifests(cluster, bankOfAnthosManifests(cluster.name as 'central' | 'west'));
    await adminOf(central)
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeployment(
        {
          name: 'frontend',
          namespace: bankNamespace,
          body: { spec: { template: { spec: { containers: [{ name: 'frontend', image: centralImage }] } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    scenario = writeScenario(
      path.join(dir, 'frontend-zero-plan.yaml'),
      'frontend-zero-plan',
      { baseline: '1s', fault: '1s', recovery: '1s' },
      [{ type: 'scale', cluster: 'central', name: 'frontend', replicas: 0 }],
    );
  });
  after(async () => {
    await Promise.all([central, west].map((cluster) => cluster?.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** An environment file: per cluster, its fields besides the ingress. */
  function environment(name: string, clusters: Record<string, Record<string, unknown>>, allow: string[]): string {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        version: 1,
        name,
        namespace: bankNamespace,
        clusters: Object.fromEntries(
          Object.entries(clusters).map(([cluster, fields]) => [
            cluster,
            { ...fields, ingress: { url: `http://127.0.0.1:9/${cluster}` } },
          ]),
        ),
        allowContexts: allow,
        istio: { convergence: 'settle', settle: '200ms' },
      }),
    );
    return file;
  }

  describe('inCluster: true, from a simulated Pod ServiceAccount folder', () => {
    let serviceAccount: string;
    let env: string;
    let podEnv: NodeJS.ProcessEnv;

    before(async () => {
      // A ServiceAccount in central that may only read, and a token for it (TokenRequest).
      const admin = adminOf(central);
      const core = admin.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'chaos' } } });
      await core.createNamespacedServiceAccount({ namespace: 'chaos', body: { metadata: { name: 'chaos-runner' } } });
      const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createClusterRole({
        body: {
          metadata: { name: 'chaos-read' },
          rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
        },
      });
      await rbac.createClusterRoleBinding({
        body: {
          metadata: { name: 'chaos-read' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'chaos-read' },
          subjects: [{ kind: 'ServiceAccount', name: 'chaos-runner', namespace: 'chaos' }],
        },
      });
      const request = await core.createNamespacedServiceAccountToken({
        name: 'chaos-runner',
        namespace: 'chaos',
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      // Laid out as /var/run/secrets/kubernetes.io/serviceaccount in a Pod.
      serviceAccount = path.join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
      mkdirSync(serviceAccount, { recursive: true });
      writeFileSync(path.join(serviceAccount, 'token'), request.status!.token, { mode: 0o600 });
      writeFileSync(path.join(serviceAccount, 'ca.crt'), central.caPem);
      writeFileSync(path.join(serviceAccount, 'namespace'), 'chaos');
      const westKubeconfig = path.join(dir, 'west-only.kubeconfig');
      writeFileSync(westKubeconfig, west.kubeconfigYaml('ctx-west'), { mode: 0o600 });
      env = environment(
        'in-pod',
        { central: { context: 'in-pod', inCluster: true }, west: { context: 'ctx-west', kubeconfig: westKubeconfig } },
        ['in-pod', 'ctx-west'],
      );
      const api = new URL(central.server);
      podEnv = {
        CHAOS_SERVICEACCOUNT_DIR: serviceAccount,
        KUBERNETES_SERVICE_HOST: api.hostname,
        KUBERNETES_SERVICE_PORT: api.port,
        KUBECONFIG: path.join(dir, 'no-such.kubeconfig'),
        HOME: dir,
      };
    });

    it('chaos plan reads central through the ServiceAccount token, checking the server against ca.crt', async () => {
      const plan = await runChaosAsync(['plan', scenario, '--env', env], { cwd: dir, env: podEnv });
      expect(plan.code, `${plan.stdout}${plan.stderr}`).to.equal(ExitCode.passed);
      expect(plan.stdout).to.include('cluster central (context in-pod)');
      expect(plan.stdout).to.include(parityLine);
      expect(plan.stdout).not.to.include('clusters not read');

      const validate = await runChaosAsync(['validate', scenario, '--env', env], { cwd: dir, env: podEnv });
      expect(validate.code, `${validate.stdout}${validate.stderr}`).to.equal(ExitCode.passed);
    });

    it("a CA that did not sign the server's certificate: central is not read, and the TLS failure is named", async () => {
      const wrong = path.join(dir, 'wrong-ca');
      mkdirSync(wrong);
      // The real token and namespace: only the CA is wrong (west's, which did not sign central's certificate).
      copyFileSync(path.join(serviceAccount, 'token'), path.join(wrong, 'token'));
      copyFileSync(path.join(serviceAccount, 'namespace'), path.join(wrong, 'namespace'));
      writeFileSync(path.join(wrong, 'ca.crt'), west.caPem);
      const plan = await runChaosAsync(['plan', scenario, '--env', env], {
        cwd: dir,
        env: { ...podEnv, CHAOS_SERVICEACCOUNT_DIR: wrong },
      });
      const out = `${plan.stdout}${plan.stderr}`;
      expect(out).not.to.include(parityLine);
      // Plan still plans, and says plainly which cluster it could not read and why.
      expect(out).to.match(
        /could not read the cluster to check: GET deployments\.apps bank-of-anthos\/frontend in cluster central \(context in-pod\): .*certificate/,
      );
      expect(out).to.match(
        /parity of frontend .*: not checked \(.*in cluster central \(context in-pod\): .*certificate/,
      );
    });

    it('no token in the folder: validate --env names the file it looked for', async () => {
      const empty = path.join(dir, 'empty-sa');
      mkdirSync(empty);
      writeFileSync(path.join(empty, 'ca.crt'), central.caPem);
      const validate = await runChaosAsync(['validate', scenario, '--env', env], {
        cwd: dir,
        env: { ...podEnv, CHAOS_SERVICEACCOUNT_DIR: empty },
      });
      expect(validate.code).to.equal(ExitCode.invalidInput);
      expect(validate.stderr).to.include(`no ServiceAccount token at ${path.join(empty, 'token')}`);
    });
  });

  describe('--kubeconfig a:b and --context CLUSTER=CONTEXT', () => {
    let env: string;
    let list: string;
    const flags = () => ['--kubeconfig', list, '--context', 'central=gke-central', '--context', 'west=gke-west'];
    const quiet = () => ({ cwd: dir, env: { KUBECONFIG: path.join(dir, 'no-such.kubeconfig'), HOME: dir } });

    before(() => {
      const a = path.join(dir, 'a.kubeconfig');
      const b = path.join(dir, 'b.kubeconfig');
      writeFileSync(a, central.kubeconfigYaml('gke-central'), { mode: 0o600 });
      writeFileSync(b, west.kubeconfigYaml('gke-west'), { mode: 0o600 });
      list = [a, path.join(dir, 'missing.kubeconfig'), b].join(path.delimiter);
      // The file's kubeconfig does not exist and its contexts are named otherwise: only the flags can fix it.
      env = environment(
        'renamed',
        {
          central: { context: 'old-central', kubeconfig: path.join(dir, 'gone.kubeconfig') },
          west: { context: 'old-west', kubeconfig: path.join(dir, 'gone.kubeconfig') },
        },
        ['gke-central', 'gke-west'],
      );
    });

    it('chaos plan: without the flags it cannot read the clusters; with them it reads both', async () => {
      const without = await runChaosAsync(['plan', scenario, '--env', env], quiet());
      expect(`${without.stdout}${without.stderr}`).not.to.include(parityLine);
      const plan = await runChaosAsync(['plan', scenario, '--env', env, ...flags()], quiet());
      expect(plan.code, `${plan.stdout}${plan.stderr}`).to.equal(ExitCode.passed);
      expect(plan.stdout).to.include('cluster central (context gke-central)');
      expect(plan.stdout).to.include(parityLine);
    });

    it('chaos validate --env: refused without the flags (each cluster named), valid with them', async () => {
      const without = await runChaosAsync(['validate', scenario, '--env', env], quiet());
      expect(without.code).to.equal(ExitCode.invalidInput);
      expect(without.stderr).to.include('2 of 2 cluster(s) cannot connect');
      const validate = await runChaosAsync(['validate', scenario, '--env', env, ...flags()], quiet());
      expect(validate.code, `${validate.stdout}${validate.stderr}`).to.equal(ExitCode.passed);
      // Only west's context given: central's old context is still looked for, and named.
      const half = await runChaosAsync(
        ['validate', scenario, '--env', env, '--kubeconfig', list, '--context', 'west=gke-west'],
        quiet(),
      );
      expect(half.code).to.equal(ExitCode.invalidInput);
      expect(half.stderr).to.include('1 of 2 cluster(s) cannot connect');
      expect(half.stderr).to.include('context "old-central" of cluster central is not in kubeconfig');
    });

    it('chaos recover --dry-run reads both clusters through the flags', async () => {
      const reports = path.join(dir, 'reports');
      const without = await runChaosAsync(['recover', '--env', env, '--dry-run', '--reports', reports], quiet());
      expect(without.code).not.to.equal(ExitCode.passed);
      const recover = await runChaosAsync(
        ['recover', '--env', env, '--dry-run', '--reports', reports, ...flags()],
        quiet(),
      );
      expect(recover.code, `${recover.stdout}${recover.stderr}`).to.equal(ExitCode.passed);
      expect(recover.stdout).to.include('nothing to recover');
    });

    it('--context naming no cluster of the environment: the flag, the cluster and its clusters named', async () => {
      const validate = await runChaosAsync(
        ['validate', scenario, '--env', env, '--kubeconfig', list, '--context', 'nope=x'],
        quiet(),
      );
      expect(validate.code).to.equal(ExitCode.invalidInput);
      expect(validate.stderr).to.include(
        `--context nope=x: environment "renamed" (${path.relative(dir, env)}) has no cluster "nope"; its clusters: central, west`,
      );
      expect(validate.stderr).not.to.match(/\d+ of \d+ file\(s\) invalid/);
      const plan = await runChaosAsync(['plan', scenario, '--env', env, '--context', 'nope=x'], quiet());
      expect(plan.code).to.equal(ExitCode.invalidInput);
      expect(plan.stderr).to.include('--context nope=x');
    });
  });
});
