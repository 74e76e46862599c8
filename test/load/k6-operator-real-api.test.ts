/**
 * Distributed load against a real kube-apiserver with a TestRun CRD of our own writing
 * (k6-operator itself is not running): the TestRun we create has the right spec, script and
 * arguments — nothing pruned by the structural schema — its ConfigMap holds exactly the k6
 * script and load config a local run uses, and stopping deletes both.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../src/environment/types.js';
import { connectionOf } from '../../src/environment/connect.js';
import { connectK6Operator } from '../../src/kube/k6-operator-calls.js';
import { buildK6Invocation, type LoadScriptConfig } from '../../src/load/k6-args.js';
import type { K6Binary } from '../../src/load/k6-binary.js';
import { operatorLoadStarter } from '../../src/run/timeline/operator-load.js';
import { defaultRunnerImage } from '../../src/load/k6-operator-testrun.js';
import { installCrds } from '../support/real-crds.js';
import { startRealCluster, type RealCluster } from '../support/real-cluster.js';
import { jsonOf, rawRequest, waitFor } from '../support/real-http.js';
import { projectRoot } from '../support/cli.js';

const crdFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'k6-operator-testrun-crd.yaml');
const namespace = 'chaos-load';

interface StoredTestRun {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    parallelism: number;
    separate: boolean;
    arguments: string;
    quiet: string;
    cleanup: string;
    script: { configMap: { name: string; file: string } };
    runner: {
      image: string;
      serviceAccountName?: string;
      env: Array<{ name: string; value: string }>;
      metadata: { annotations: Record<string, string> };
    };
    initializer: { image: string; env: Array<{ name: string; value: string }> };
  };
}

describe('distributed load: the k6-operator TestRun on a real kube-apiserver', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let dir: string;
  let environment: Environment;

  before(async () => {
    cluster = await startRealCluster('operator', { istioCrds: false });
    await installCrds(cluster, crdFile);
    const created = await rawRequest(cluster, {
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    });
    expect(created.status, created.text).to.equal(201);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-operator-real-'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, cluster.kubeconfigYaml('real-central'), { mode: 0o600 });
    environment = {
      file: path.join(dir, 'env.yaml'),
      name: 'operator-real',
      namespace: 'bank-of-anthos',
      builtIn: false,
      allowContexts: ['real-central'],
      clusters: [
        {
          name: 'central',
          context: 'real-central',
          kubeconfig,
          ingress: { kind: 'url', url: 'http://127.0.0.1:9/central' },
        },
      ],
    };
  });
  after(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the TestRun with the right spec, script and arguments, and deletes it and its ConfigMap on stop', async () => {
    const config: LoadScriptConfig = {
      ingresses: [
        { name: 'central', url: 'http://203.0.113.10' },
        { name: 'west', url: 'http://203.0.113.20' },
      ],
      ratePerSecond: 500,
      durationSeconds: 700,
      method: 'GET',
      paths: ['/', '/home'],
      host: 'frontend.example.com',
      timeoutMs: 2000,
      preAllocatedVUs: 1000,
      maxVUs: 2000,
      servedBy: { kind: 'header', header: 'x-served-by' },
    };
    const api = connectK6Operator(connectionOf(environment, 'central'));
    const start = operatorLoadStarter({
      api,
      runId: 'rreal1',
      runner: { kind: 'k6-operator', parallelism: 4, namespace, serviceAccount: 'k6-runner' },
      defaultNamespace: environment.namespace,
    });
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    // No request is ever sent: k6-operator is not running, so no runner starts; the addresses above
    // are documentation ones.
    const run = start({
      k6: { path: 'k6', version: 'v2.2.0', source: 'PATH' } as K6Binary,
      runDir,
      config,
      onSample: () => undefined,
    });
    const base = `/apis/k6.io/v1alpha1/namespaces/${namespace}/testruns/chaos-rreal1`;
    const stored = await waitFor(
      'the TestRun to exist',
      async () => {
        const response = await rawRequest(cluster, { method: 'GET', path: base });
        return response.status === 200 ? jsonOf<StoredTestRun>(response) : undefined;
      },
      { timeoutMs: 30_000 },
    );

    // The arguments a local k6 gets, minus what k6-operator adds itself; the records go to the log.
    const local = buildK6Invocation({ scriptPath: '/test/load.ts', configPath: '/test/config.json' });
    const expectedArgs = local.args.filter((arg) => !['run', '--quiet', '/test/load.ts'].includes(arg));
    expect(stored.spec.arguments.split(' ')).to.deep.equal(expectedArgs);
    expect(expectedArgs).to.include.members(['--summary-mode=disabled', '--no-usage-report']);
    expect(expectedArgs.some((arg) => arg.startsWith('--address') || arg.startsWith('--console-output'))).to.equal(
      false,
    );
    expect(stored.spec).to.deep.include({
      parallelism: 4,
      separate: true,
      quiet: 'true',
      cleanup: 'post',
      script: { configMap: { name: 'chaos-rreal1', file: 'load.ts' } },
    });
    const env = Object.fromEntries(stored.spec.runner.env.map((e) => [e.name, e.value]));
    expect(env).to.deep.equal({ ...local.env, CHAOS_CONFIG: '/test/config.json' });
    expect(stored.spec.runner.image).to.equal(defaultRunnerImage);
    expect(stored.spec.runner.serviceAccountName).to.equal('k6-runner');
    expect(stored.spec.runner.metadata.annotations).to.deep.equal({ 'sidecar.istio.io/inject': 'false' });
    expect(stored.spec.initializer).to.deep.include({ image: defaultRunnerImage, env: stored.spec.runner.env });
    expect(stored.metadata.labels).to.include({ 'chaos.dev/run': 'rreal1' });

    // The ConfigMap holds the very script a local run uses, and the load config.
    const mapResponse = await rawRequest(cluster, {
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/configmaps/chaos-rreal1`,
    });
    const map = jsonOf<{ data: Record<string, string> }>(mapResponse);
    expect(map.data['load.ts']).to.equal(readFileSync(path.join(projectRoot, 'src/load/script/load.ts'), 'utf8'));
    // The load config as given, with the epoch its records' times count from (set when the run starts).
    const { epochMs, ...given } = JSON.parse(map.data['config.json']!) as typeof config & { epochMs: number };
    expect(given).to.deep.equal(config);
    expect(epochMs).to.be.a('number');
    expect(map.data['recorder.ts']).to.equal(
      readFileSync(path.join(projectRoot, 'src/load/script/recorder.ts'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(path.join(runDir, 'k6-testrun.json'), 'utf8')).testRun.spec.arguments).to.equal(
      stored.spec.arguments,
    );

    run.stop();
    const ended = await run.ended;
    expect(ended.end.kind).to.equal('stopped');
    expect((await rawRequest(cluster, { method: 'GET', path: base })).status).to.equal(404);
    expect(
      (await rawRequest(cluster, { method: 'GET', path: `/api/v1/namespaces/${namespace}/configmaps/chaos-rreal1` }))
        .status,
    ).to.equal(404);
  });
});
