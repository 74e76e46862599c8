/**
 * Preflight failures through the real CLI against real kube-apiservers: a workload that does not
 * exist, a workload whose Pods never become ready (its nodeSelector matches no Node), and an
 * ingress that refuses connections (a free loopback port nothing listens on). Each run exits with
 * the harness-error code of the README's table, names the workload or ingress, and changes
 * nothing: no Lease left held, no annotation, no journal claiming a mutation.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { apiOf, endpointOf, realServer, type FaultTestServer } from '../faults/support/servers.js';
import { runChaosAsync, type CliResult } from '../support/cli.js';
import { rawRequest } from '../support/real-http.js';
import {
  chaosAnnotations,
  lockHolder,
  readJournal,
  startStandInIngress,
  writeEnvironment,
  writeScenario,
  type StandInIngress,
} from '../support/real-run.js';
import { waitFor } from '../support/wait.js';

const namespace = 'bank-of-anthos';

/** A loopback port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Deployment whose one Pod can never be scheduled, so never ready: its nodeSelector matches no Node. */
function stuckDeployment(name: string): unknown {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { nodeSelector: { 'chaos.test/no-such-node': 'true' }, containers: [{ name, image: 'example/stuck:1' }] },
      },
    },
  };
}

describe('preflight failures through the real CLI (real kube-apiservers): exit 3, named, nothing changed', function () {
  this.timeout(300_000);
  let server: FaultTestServer;
  let ingress: StandInIngress;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    server = await realServer.start();
    ingress = await startStandInIngress();
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-preflight-'));
    const created = await rawRequest(endpointOf(server, 'central'), {
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      body: stuckDeployment('stuck'),
    });
    expect(created.status, created.text).to.equal(201);
    // The controller has seen it and made its Pod, which stays Pending.
    await waitFor(
      async () => {
        const stuck = await apiOf(server, 'central').readWorkload('Deployment', namespace, 'stuck');
        return (stuck.status?.observedGeneration ?? 0) >= 1 && stuck.status?.replicas === 1;
      },
      { timeoutMs: 120_000, what: 'the stuck Deployment to be observed with 1 replica' },
    );
  });
  after(async () => {
    await ingress?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `chaos run` of a scale fault on `workload` in central, the ingress of central at `centralIngress`. */
  async function runScale(label: string, workload: string, centralIngress: string): Promise<CliResult> {
    const environmentFile = writeEnvironment(path.join(dir, `${label}-environment.yaml`), label, {
      central: {
        context: 'real-central',
        kubeconfig: server.environment.clusters.find((c) => c.name === 'central')!.kubeconfig,
        ingressUrl: centralIngress,
      },
    });
    const scenario = writeScenario(
      path.join(dir, `${label}.yaml`),
      label,
      { baseline: '1s', fault: '1s', recovery: '1s' },
      [{ type: 'scale', cluster: 'central', name: workload, replicas: 0 }],
    );
    return runChaosAsync(['run', scenario, '--env', environmentFile, '--reports', path.join(dir, `reports-${label}`)], {
      cwd: dir,
      timeoutMs: 180_000,
    });
  }

  /** Nothing changed: no Lease held, no chaos annotation on the app's Deployments, no mutation journaled. */
  async function expectNothingChanged(label: string): Promise<void> {
    const central = apiOf(server, 'central');
    expect(await lockHolder(central), 'the lock Lease').to.equal(undefined);
    for (const deployment of await central.listWorkloads('Deployment', namespace))
      expect(chaosAnnotations(deployment), deployment.metadata?.name).to.deep.equal([]);
    expect((await central.readScale('Deployment', namespace, 'frontend')).spec?.replicas).to.equal(2);
    const journal = readJournal(path.join(dir, `reports-${label}`));
    expect(journal.filter((entry) => entry.type.startsWith('mutation-') || entry.type.startsWith('fault-'))).to.be
      .empty;
  }

  it('a workload that does not exist: named, with the cluster; nothing changed', async () => {
    const result = await runScale('missing', 'no-such-frontend', ingress.urlFor('central'));
    const out = `${result.stdout}${result.stderr}`;
    expect(result.code, out).to.equal(ExitCode.harnessError);
    expect(out).to.match(/preflight failed, nothing was changed/);
    expect(out).to.match(/central: .*no-such-frontend/);
    await expectNothingChanged('missing');
  });

  it('a workload whose Pods never become ready: named with its ready count; nothing changed', async () => {
    const result = await runScale('unready', 'stuck', ingress.urlFor('central'));
    const out = `${result.stdout}${result.stderr}`;
    expect(result.code, out).to.equal(ExitCode.harnessError);
    expect(out).to.match(/preflight failed, nothing was changed/);
    expect(out).to.include('central: Deployment bank-of-anthos/stuck: 0 ready of 1 replicas, want 1');
    expect((await apiOf(server, 'central').readScale('Deployment', namespace, 'stuck')).spec?.replicas).to.equal(1);
    await expectNothingChanged('unready');
  });

  it('an ingress that refuses connections: named with its address; nothing changed', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/central`;
    const result = await runScale('refusing-ingress', 'frontend', url);
    const out = `${result.stdout}${result.stderr}`;
    expect(result.code, out).to.equal(ExitCode.harnessError);
    expect(out).to.include(`ingress not answering the scenario's first path with a non-5xx status: central (${url})`);
    expect(out).to.match(/fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/);
    await expectNothingChanged('refusing-ingress');
  });
});
