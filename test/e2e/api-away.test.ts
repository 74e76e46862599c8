/**
 * The Kubernetes API going away mid-run and coming back, against the real CLI and a real
 * kube-apiserver: central's API is reached through a loopback proxy (test/support/flaky-proxy.ts).
 * The fault is applied; then the API refuses connections (the proxy's listener closed) until the
 * run's revert has failed once, then hangs (accepts, never answers) until the run gives up. The
 * run ends with the harness-error code and names what it could not undo; `chaos recover`, once the
 * API is back, finishes the job — read from the cluster directly, not through the proxy.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { apiOf, realServer, type FaultTestServer } from '../faults/support/servers.js';
import { waitSettled } from '../faults/support/session.js';
import { cliEnv, projectRoot, runChaosAsync } from '../support/cli.js';
import { type FlakyProxy } from '../support/flaky-proxy.js';
import {
  chaosAnnotations,
  lockHolder,
  readJournal,
  centralThroughProxy,
  writeScenario,
  type StandInIngress,
} from '../support/real-run.js';
import { waitFor } from '../support/wait.js';

describe('the Kubernetes API goes away mid-run (refused, then hung) and comes back (real CLI, real API)', function () {
  this.timeout(600_000);
  let server: FaultTestServer;
  let proxy: FlakyProxy;
  let ingress: StandInIngress;
  let dir: string;
  let environmentFile: string;
  let scenarioFile: string;

  before(async function () {
    this.timeout(600_000);
    server = await realServer.start();
    // Preflight wants frontend ready: the reset has just created it.
    await waitSettled(apiOf(server, 'central'), 'bank-of-anthos');
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-api-away-'));
    ({ proxy, ingress, environmentFile } = await centralThroughProxy(server, dir, 'api-away'));
    scenarioFile = writeScenario(
      path.join(dir, 'frontend-zero-held.yaml'),
      'frontend-zero-held',
      { baseline: '2s', fault: '6s', recovery: '2s' },
      [{ type: 'scale', cluster: 'central', name: 'frontend', replicas: 0 }],
    );
  });
  after(async () => {
    await proxy?.close();
    await ingress?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 3 naming the fault it could not undo; chaos recover with the API back restores the cluster', async () => {
    const central = apiOf(server, 'central');
    const reports = path.join(dir, 'reports');
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, 'bin/chaos.js'), 'run', scenarioFile, '--env', environmentFile, '--reports', reports],
      // Each unanswered request gives up after 3 s (default 15 s), its retries bounded as ever.
      { cwd: dir, env: cliEnv(dir, { CHAOS_KUBE_REQUEST_TIMEOUT: '3s' }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor(() => /fault scale-1 applied in central/.test(out), {
        timeoutMs: 180_000,
        what: `the fault to be applied:\n${out}`,
      });
      expect((await central.readScale('Deployment', 'bank-of-anthos', 'frontend')).spec?.replicas ?? 0).to.equal(0);
      await proxy.setMode('refuse');
      // The phase's revert meets refused connections and fails (after its bounded retries)...
      await waitFor(() => readJournal(reports).some((entry) => entry.type === 'fault-reverted' && !entry.ok), {
        timeoutMs: 180_000,
        what: `the revert to fail on refused connections:\n${out}`,
      });
      // ...and the run's revert-all then meets an API that accepts and never answers.
      await proxy.setMode('hang');
      const code = await exited;
      expect(code, out).to.equal(ExitCode.harnessError);
    } finally {
      child.kill('SIGKILL');
    }
    // It names what it could not undo: the fault, the cluster, and the command to do it by hand.
    expect(out).to.match(/NOT reverted:[^\n]*scale-1[^\n]*central/);
    expect(out).to.match(/kubectl --context proxied-central[^\n]*scale[^\n]*--replicas=2/);
    // Nothing was undone behind the test's back: still at zero, annotated, the Lease still held.
    expect((await central.readScale('Deployment', 'bank-of-anthos', 'frontend')).spec?.replicas ?? 0).to.equal(0);
    expect(chaosAnnotations(await central.readWorkload('Deployment', 'bank-of-anthos', 'frontend'))).not.to.be.empty;

    await proxy.setMode('forward');
    const recovered = await runChaosAsync(['recover', '--env', environmentFile, '--reports', reports], {
      cwd: mkdtempSync(path.join(dir, 'elsewhere-')),
      timeoutMs: 240_000,
    });
    expect(recovered.code, `${recovered.stdout}\n${recovered.stderr}`).to.equal(ExitCode.passed);
    const frontend = await central.readWorkload('Deployment', 'bank-of-anthos', 'frontend');
    expect(frontend.spec?.replicas).to.equal(2);
    expect(chaosAnnotations(frontend)).to.deep.equal([]);
    expect(await lockHolder(central)).to.equal(undefined);
  });

  it('a CHAOS_KUBE_REQUEST_TIMEOUT that is not a duration is an input error naming it; nothing contacted', async () => {
    const before = proxy.requests();
    const result = await runChaosAsync(['recover', '--env', environmentFile], {
      cwd: dir,
      env: { CHAOS_KUBE_REQUEST_TIMEOUT: 'soon' },
    });
    expect(result.code, result.stderr).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('CHAOS_KUBE_REQUEST_TIMEOUT=soon: expected a duration above zero');
    expect(proxy.requests()).to.equal(before);
  });
});
