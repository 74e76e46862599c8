/**
 * SIGKILL of the real CLI at the two points kill-and-recover.test.ts cannot reach on the lab
 * without racing: while a revert is in flight, and in the middle of a drain. Central's API is
 * reached through a loopback proxy (test/support/flaky-proxy.ts) that holds one request — the
 * revert's PATCH, or the drain's first eviction — until the test has killed the CLI, so the kill
 * lands exactly there; the held request then never reaches the server. `chaos recover`, run from
 * another folder without the journal, restores everything, read from the cluster directly.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { ClusterApi } from '../../src/kube/cluster-api.js';
import { apiOf, realServer, type FaultTestServer } from '../faults/support/servers.js';
import { waitSettled } from '../faults/support/session.js';
import { cliEnv, projectRoot, runChaosAsync } from '../support/cli.js';
import { type FlakyProxy, type HeldRequest } from '../support/flaky-proxy.js';
import {
  chaosAnnotations,
  lockHolder,
  centralThroughProxy,
  writeScenario,
  type StandInIngress,
} from '../support/real-run.js';
import { waitFor } from '../support/wait.js';

const namespace = 'bank-of-anthos';

/** What recover must put back: every app Deployment's replicas and the Nodes' cordons, no chaos annotation anywhere. */
async function clusterView(api: ClusterApi): Promise<unknown> {
  const deployments = await api.listWorkloads('Deployment', namespace);
  const nodes = await api.listNodes();
  return {
    replicas: Object.fromEntries(deployments.map((d) => [d.metadata?.name, d.spec?.replicas ?? 0])),
    annotated: [...deployments, ...nodes].flatMap((o) =>
      chaosAnnotations(o).map((key) => `${o.metadata?.name} ${key}`),
    ),
    cordoned: nodes.filter((node) => node.spec?.unschedulable).map((node) => node.metadata?.name),
  };
}

describe('chaos run killed with SIGKILL while reverting and during a drain, then chaos recover (real API)', function () {
  this.timeout(600_000);
  let server: FaultTestServer;
  let proxy: FlakyProxy;
  let ingress: StandInIngress;
  let dir: string;
  let environmentFile: string;
  let central: ClusterApi;
  let initial: unknown;

  before(async function () {
    this.timeout(600_000);
    server = await realServer.start();
    central = apiOf(server, 'central');
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-kill-mid-revert-'));
    ({ proxy, ingress, environmentFile } = await centralThroughProxy(server, dir, 'kill-mid-revert'));
    initial = await clusterView(central);
  });
  // Preflight wants the app ready: after the reset, and after the previous test's recover.
  beforeEach(async () => waitSettled(central, namespace));
  after(async () => {
    await proxy?.close();
    await ingress?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the scenario, waits for `held` (after `ready`, when given), kills the CLI with SIGKILL there. */
  async function killAt(scenario: string, hold: () => HeldRequest, ready?: RegExp): Promise<string> {
    const runCwd = mkdtempSync(path.join(dir, 'run-'));
    let held = ready ? undefined : hold();
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, 'bin/chaos.js'), 'run', scenario, '--env', environmentFile, '--reports', 'reports'],
      { cwd: runCwd, env: cliEnv(runCwd), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`${code}/${signal}`)));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!held && ready?.test(out)) held = hold();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    try {
      await waitFor(() => held, { timeoutMs: 180_000, what: `the run to reach ${ready}:\n${out}` });
      await Promise.race([held!.arrived, exited.then(() => expect.fail(`the run ended first:\n${out}`))]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited, out).to.equal('null/SIGKILL');
    return out;
  }

  /** `chaos recover` from a folder without the run's journal: annotations and the Lease are all it has. */
  async function recoverFromElsewhere(): Promise<void> {
    const recovered = await runChaosAsync(['recover', '--env', environmentFile, '--lock-wait', '60'], {
      cwd: mkdtempSync(path.join(dir, 'recover-')),
      timeoutMs: 240_000,
    });
    expect(recovered.code, `${recovered.stdout}\n${recovered.stderr}`).to.equal(ExitCode.passed);
    expect(recovered.stdout).to.include('from annotations');
  }

  it('killed while its revert PATCH is in flight: frontend back to its replicas, annotations and Lease gone', async () => {
    const scenario = writeScenario(
      path.join(dir, 'frontend-zero-short.yaml'),
      'frontend-zero-short',
      { baseline: '1s', fault: '2s', recovery: '1s' },
      [{ type: 'scale', cluster: 'central', name: 'frontend', replicas: 0 }],
    );
    // The apply's PATCH passes; the hold is set once the fault is applied, so it takes the revert's.
    await killAt(
      scenario,
      () => proxy.hold('PATCH', `/namespaces/${namespace}/deployments/frontend`),
      /fault scale-1 applied in central/,
    );
    // The revert never landed: frontend still at zero, still ours, the dead run's Lease still there.
    expect((await central.readScale('Deployment', namespace, 'frontend')).spec?.replicas ?? 0).to.equal(0);
    expect(chaosAnnotations(await central.readWorkload('Deployment', namespace, 'frontend'))).not.to.be.empty;
    expect(await lockHolder(central)).not.to.equal(undefined);

    await recoverFromElsewhere();
    expect(await clusterView(central)).to.deep.equal(initial);
    expect(await lockHolder(central)).to.equal(undefined);
  });

  it('killed mid-drain (Nodes cordoned, its first eviction in flight): Nodes uncordoned, annotations gone', async () => {
    const scenario = writeScenario(
      path.join(dir, 'drain-central-whole.yaml'),
      'drain-central-whole',
      { baseline: '1s', fault: '10s', recovery: '1s' },
      [{ type: 'drain', cluster: 'central' }],
    );
    await killAt(scenario, () => proxy.hold('POST', '/eviction'));
    const during = (await clusterView(central)) as { cordoned: string[]; annotated: string[] };
    const nodes = (await central.listNodes()).map((node) => node.metadata?.name);
    expect(during.cordoned, 'the drain cordoned every Node before evicting').to.deep.equal(nodes);
    expect(during.annotated).not.to.be.empty;

    await recoverFromElsewhere();
    expect(await clusterView(central)).to.deep.equal(initial);
    expect(await lockHolder(central)).to.equal(undefined);
  });
});
