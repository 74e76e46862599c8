/**
 * The lock is per cluster, not per environment file; recover is cluster by cluster and never
 * calls clean what it could not check. Real CLI processes against a lab the test owns (free
 * ports, private state folders).
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { startLab, writeLabState, type RunningLab } from '../../src/lab/index.js';
import { acquireLock, LockHeldError } from '../../src/run/session/lock.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import { labEnvironment } from '../../src/environment/lab-environment.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

const namespace = 'bank-of-anthos';
/** frontend-zero's fault, held: light load, no abort limit (a loaded machine cannot end it early). */
const hold = path.join(projectRoot, 'test/fixtures/scenarios/hold-central-frontend.yaml');

/** The kubeconfig with these clusters' API server moved to `server` (a closed port: unreachable). */
function withServer(kubeconfig: string, clusters: readonly string[], server: string): string {
  const config = parse(kubeconfig) as { clusters: Array<{ name: string; cluster: { server: string } }> };
  for (const entry of config.clusters) if (clusters.includes(entry.name)) entry.cluster.server = server;
  return stringify(config);
}

/** The project's condition wait (test/support/wait.ts), bounded, never a claim about speed. */
const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> => {
  await waitFor(check, { what, timeoutMs, intervalMs: 200 });
};

describe('the lock is per cluster; recover is cluster by cluster (real CLI, a lab the test owns)', function () {
  this.timeout(240_000);
  let lab: RunningLab;
  let cwd: string;
  let apps: k8s.AppsV1Api;
  let kubeconfigFile: string;

  before(async () => {
    lab = await startLab({ ingressPort: 0 });
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-lock-scope-'));
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    kubeconfigFile = path.join(cwd, 'lab.kubeconfig');
    writeFileSync(kubeconfigFile, lab.kubeconfig(), { mode: 0o600 });
    const config = new k8s.KubeConfig();
    config.loadFromString(lab.kubeconfig());
    config.setCurrentContext('lab-central');
    apps = config.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await runChaosAsync(['recover'], { cwd, timeoutMs: 120_000 });
    await lab?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Another environment file over the same two clusters (the lab's contexts), or with `west` unreachable. */
  function environmentFile(name: string, westServer?: string): string {
    const file = path.join(cwd, `${name}.yaml`);
    let kubeconfig = kubeconfigFile;
    if (westServer) {
      kubeconfig = path.join(cwd, `${name}.kubeconfig`);
      writeFileSync(kubeconfig, withServer(readFileSync(kubeconfigFile, 'utf8'), ['lab-west'], westServer), {
        mode: 0o600,
      });
    }
    writeFileSync(
      file,
      stringify({
        version: 1,
        name,
        namespace,
        clusters: Object.fromEntries(
          lab.clusters.map((cluster) => [
            cluster.name,
            { context: cluster.context, kubeconfig, ingress: { url: cluster.ingressUrl } },
          ]),
        ),
        allowContexts: lab.clusters.map((cluster) => cluster.context),
      }),
    );
    return file;
  }

  const replicas = async () => (await apps.readNamespacedDeployment({ name: 'frontend', namespace })).spec?.replicas;

  it('two environment files naming the same clusters: the second run is refused; recover --env of the other never touches the live run', async () => {
    const other = environmentFile('same-clusters');
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, 'bin/chaos.js'), 'run', hold, '--phase', 'fault=60s'],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exit = new Promise((resolve) => child.on('close', resolve));
    try {
      await until(() => out.includes('applied in central'), 'the first run applied its fault');
      const second = await runChaosAsync(['run', hold, '--env', other, '--phase', 'fault=5s'], {
        cwd,
        timeoutMs: 120_000,
      });
      expect(second.code, second.stdout + second.stderr).to.equal(ExitCode.harnessError);
      expect(second.stderr).to.include('another chaos run holds the lock of cluster');
      const recover = await runChaosAsync(['recover', '--env', other, '--lock-wait', '2'], { cwd, timeoutMs: 120_000 });
      const said = recover.stdout + recover.stderr;
      expect(recover.code, said).to.equal(ExitCode.harnessError);
      expect(said).to.match(/central: not locked, so not touched/);
      expect(said).not.to.include('nothing to recover');
      expect(await replicas(), "the live run's fault is still in place").to.equal(0);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
    await until(async () => (await replicas()) === 2, 'the first run reverted on SIGINT');
  });

  it('recover with one cluster unreachable fixes the other and exits with the harness-error code, naming it', async () => {
    const split = environmentFile('west-down', 'https://127.0.0.1:1');
    await apps.patchNamespacedDeployment(
      {
        name: 'frontend',
        namespace,
        body: {
          metadata: {
            annotations: {
              'chaos.dev/run': 'rgone',
              'chaos.dev/fault': 'scale-1',
              'chaos.dev/expires': new Date(Date.now() - 60_000).toISOString(),
              'chaos.dev/original-replicas': '2',
              'chaos.dev/replicas': '0',
            },
          },
          spec: { replicas: 0 },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const result = await runChaosAsync(['recover', '--env', split], { cwd, timeoutMs: 180_000 });
    const said = result.stdout + result.stderr;
    expect(result.code, said).to.equal(ExitCode.harnessError);
    expect(said).to.include('reverted: Deployment bank-of-anthos/frontend back to 2 replicas');
    expect(said).to.match(/west: not locked, so not touched/);
    await until(async () => (await replicas()) === 2, 'central fixed');
  });

  it('recover with no reachable cluster never says "nothing to recover"', async () => {
    const file = path.join(cwd, 'nowhere.yaml');
    const kubeconfig = path.join(cwd, 'nowhere.kubeconfig');
    writeFileSync(
      kubeconfig,
      withServer(readFileSync(kubeconfigFile, 'utf8'), ['lab-central', 'lab-west'], 'https://127.0.0.1:1'),
      { mode: 0o600 },
    );
    writeFileSync(
      file,
      stringify({
        version: 1,
        name: 'nowhere',
        namespace,
        clusters: Object.fromEntries(
          lab.clusters.map((c) => [c.name, { context: c.context, kubeconfig, ingress: { url: c.ingressUrl } }]),
        ),
        allowContexts: lab.clusters.map((c) => c.context),
      }),
    );
    const result = await runChaosAsync(['recover', '--env', file], { cwd, timeoutMs: 180_000 });
    const said = result.stdout + result.stderr;
    expect(result.code, said).to.equal(ExitCode.harnessError);
    expect(said).not.to.include('nothing to recover');
    expect(said)
      .to.match(/central: not locked/)
      .and.to.match(/west: not locked/);
  });

  it('a holder whose clock runs 60 s ahead does not take over a live lock (expiry is judged by what we observe)', async () => {
    const apis = connectEnvironment(labEnvironment(), { kubeconfigYaml: lab.kubeconfig() });
    const live = await acquireLock(apis, { runId: 'live', holder: 'live run', leaseSeconds: 2 });
    try {
      const ahead = () => Date.now() + 60_000;
      const error = await acquireLock(apis, {
        runId: 'ahead',
        holder: 'run with a fast clock',
        now: ahead,
        waitMs: 6_000,
        pollMs: 250,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(LockHeldError);
      expect(live.lost()).to.equal(undefined);
    } finally {
      await live.release();
    }
  });
});
