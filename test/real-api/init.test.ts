/**
 * `chaos init` against two real kube-apiservers: from two kubeconfig contexts to an
 * environment file (gateway Service, app namespace, allow-list) that `chaos plan` accepts.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  CoordinationV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { bankNamespace, bankOfAnthosManifests } from '../fixtures/real-api/bank-of-anthos.js';
import { startRealClusters, type RealCluster } from '../support/real-cluster.js';
import { createManifests } from '../support/real-manifests.js';
import { runChaosAsync } from '../support/cli.js';
import { ExitCode } from '../../src/errors/exit-codes.js';

describe('chaos init against two real kube-apiservers', function () {
  this.timeout(300_000);
  let clusters: RealCluster[] = [];
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    clusters = await startRealClusters(['central', 'west']);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-init-'));
    for (const cluster of clusters) {
      await createManifests(cluster, bankOfAnthosManifests(cluster.name as 'central' | 'west'));
      writeFileSync(path.join(dir, `${cluster.name}.yaml`), cluster.kubeconfigYaml(`ctx-${cluster.name}`));
      // Sidecar injection on the app namespace, as the mesh install sets it.
      const config = new KubeConfig();
      config.loadFromString(cluster.kubeconfigYaml());
      await config
        .makeApiClient(CoreV1Api)
        .patchNamespace(
          { name: bankNamespace, body: { metadata: { labels: { 'istio-injection': 'enabled' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
    }
  });
  after(async () => {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes an environment file with each gateway, the app namespace and the allow-list; chaos plan takes it', async () => {
    const kubeconfig = [path.join(dir, 'central.yaml'), path.join(dir, 'west.yaml')].join(path.delimiter);
    const out = path.join(dir, 'environments', 'real.yaml');
    const init = await runChaosAsync([
      'init',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'central=ctx-central',
      '--context',
      'west=ctx-west',
      '--name',
      'real',
      '--out',
      out,
    ]);
    expect(init.code, init.stderr).to.equal(ExitCode.passed);
    const written = parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(written).to.deep.include({
      name: 'real',
      namespace: bankNamespace,
      kubeconfig,
      allowContexts: ['ctx-central', 'ctx-west'],
      clusters: {
        central: {
          context: 'ctx-central',
          ingress: { service: { namespace: 'asm-gateways', name: 'istio-ingressgateway', port: 80 } },
        },
        west: {
          context: 'ctx-west',
          ingress: { service: { namespace: 'asm-gateways', name: 'istio-ingressgateway', port: 80 } },
        },
      },
    });
    const plan = await runChaosAsync(['plan', 'frontend-zero', '--env', out]);
    expect(plan.code, plan.stderr).to.equal(ExitCode.passed);
    expect(plan.stdout).to.include('cluster central (context ctx-central)');
    expect(plan.stdout).to.include('LoadBalancer address of Service asm-gateways/istio-ingressgateway');
    expect(plan.stdout).to.match(/parity frontend: same in central, west|parity frontend: .*ready/);

    const again = await runChaosAsync([
      'init',
      '--context',
      'central=ctx-central',
      '--out',
      out,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(again.code).to.equal(ExitCode.invalidInput);
    expect(again.stderr).to.include('exists');
  });

  it("prints a routed-through, non-targeted service's different image in west; requireParity refuses the run, changing nothing", async () => {
    // The scenario targets ledger-db only; frontend is on the load's path (the gateway-bound
    // VirtualService's destination), so its image is compared too.
    const west = clusters.find((cluster) => cluster.name === 'west')!;
    const config = new KubeConfig();
    config.loadFromString(west.kubeconfigYaml());
    const apps = config.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment(
      {
        name: 'frontend',
        namespace: bankNamespace,
        body: {
          spec: {
            template: { spec: { containers: [{ name: 'frontend', image: 'registry.example/bank/frontend:canary' }] } },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const kubeconfig = [path.join(dir, 'central.yaml'), path.join(dir, 'west.yaml')].join(path.delimiter);
    // Ingresses on a closed loopback port: the run must be refused before any request anyway.
    const env = path.join(dir, 'parity-env.yaml');
    writeFileSync(
      env,
      [
        'name: parity',
        `namespace: ${bankNamespace}`,
        `kubeconfig: ${kubeconfig}`,
        'allowContexts: [ctx-central, ctx-west]',
        'clusters:',
        '  central: { context: ctx-central, ingress: { url: "http://127.0.0.1:9" } }',
        '  west: { context: ctx-west, ingress: { url: "http://127.0.0.1:9" } }',
      ].join('\n'),
    );
    const scenario = path.join(dir, 'ledger-only.yaml');
    const body = [
      'version: 1',
      'name: ledger-only',
      'description: targets ledger-db only',
      'load: { rate: 1 }',
      'phases: { baseline: 1s, fault: 1s, recovery: 1s }',
      'faults: [{ type: scale, cluster: west, kind: StatefulSet, name: ledger-db, replicas: 0 }]',
      'budgets: { all: { http_req_failed: rate<0.5 } }',
    ];
    writeFileSync(scenario, body.join('\n'));
    const plan = await runChaosAsync(['plan', scenario, '--env', env]);
    expect(plan.code, plan.stderr).to.equal(ExitCode.passed);
    // This environment has no servedBy: the plan says so rather than promising clusters.
    expect(plan.stdout).to.include('served by: not measured');
    expect(plan.stdout).to.match(/parity over the services targeted \(ledger-db\) and routed through \(frontend\)/);
    expect(plan.stdout).to.include(
      'parity frontend: images differ (central registry.example/bank/frontend:1.0.0, west registry.example/bank/frontend:canary)',
    );

    writeFileSync(scenario, [...body, 'requireParity: true'].join('\n'));
    const run = await runChaosAsync(['run', scenario, '--env', env, '--reports', path.join(dir, 'reports')]);
    expect(run.code, run.stderr).to.equal(ExitCode.invalidInput);
    expect(run.stderr).to.include('ledger-only requires parity and the clusters differ');
    expect(run.stderr).to.include('frontend: images differ');
    const db = await apps.readNamespacedStatefulSet({ name: 'ledger-db', namespace: bankNamespace });
    expect(db.spec?.replicas, 'ledger-db untouched').to.equal(1);
    const leases = await config.makeApiClient(CoordinationV1Api).listLeaseForAllNamespaces();
    expect(
      leases.items.filter((lease) => lease.metadata?.name === 'chaos-lock'),
      'no lock taken',
    ).to.deep.equal([]);
  });
});
