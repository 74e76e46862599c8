/**
 * Every way out of a run reverts, and nothing outlives it — tried with the real CLI process, real
 * k6 and a lab this test process owns (free ports, a private state folder), so the cluster outlives
 * each run and the test reads the truth from it: a closed output pipe, SIGHUP, SIGQUIT, an uncaught
 * error, k6 killed, the harness killed with SIGKILL (k6 stops by itself; recover from elsewhere
 * finishes the job), a lock taken over mid-run, a dead run's leftovers found before a run, and a
 * revert the system never comes back from.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { startLab, writeLabState, type RunningLab } from '../../src/lab/index.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import { processIsAlive } from '../../src/system/processes.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

const namespace = 'bank-of-anthos';
/** frontend-zero's fault, held: light load, no abort limit (a loaded machine cannot end it early). */
const hold = path.join(projectRoot, 'test/fixtures/scenarios/hold-central-frontend.yaml');
const cli = path.join(projectRoot, 'bin/chaos.js');

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function spawnChaos(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

/** Polls `check` until it is true; fails with `what` after `limitMs` (a bound, not a speed claim). */
/** The project's condition wait (test/support/wait.ts), bounded, never a claim about speed. */
const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> => {
  await waitFor(check, { what, timeoutMs, intervalMs: 200 });
};

function journalOf(cwd: string, reports = 'reports'): JournalEntry[] {
  const dir = path.join(cwd, reports);
  const folder = readdirSync(dir)
    .filter((name) => name.endsWith('-hold-central-frontend') || name.endsWith('-drain-central'))
    .sort()
    .at(-1)!;
  return readFileSync(path.join(dir, folder, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEntry);
}

function k6PidOf(entries: readonly JournalEntry[]): number {
  const started = entries.find((e): e is Extract<JournalEntry, { type: 'k6-started' }> => e.type === 'k6-started');
  expect(started, 'the journal names the k6 process').to.not.equal(undefined);
  return started!.pid;
}

describe('every way out of a run reverts, and nothing outlives it (real CLI, real k6, a lab the test owns)', function () {
  this.timeout(240_000);
  let lab: RunningLab;
  let cwd: string;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;
  let coordination: k8s.CoordinationV1Api;
  // Long enough for the test to act during the fault; runs that must complete use `short`.
  const phases = ['--phase', 'baseline=3s', '--phase', 'fault=40s', '--phase', 'recovery=3s'];
  const short = ['--phase', 'baseline=3s', '--phase', 'fault=8s', '--phase', 'recovery=3s'];

  before(async () => {
    lab = await startLab({ ingressPort: 0 });
    const config = new k8s.KubeConfig();
    config.loadFromString(lab.kubeconfig());
    config.setCurrentContext('lab-central');
    apps = config.makeApiClient(k8s.AppsV1Api);
    core = config.makeApiClient(k8s.CoreV1Api);
    coordination = config.makeApiClient(k8s.CoordinationV1Api);
  });
  beforeEach(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-ways-out-'));
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
  });
  afterEach(async () => {
    // Whatever a test left, the next starts clean (and this proves recover is idempotent).
    await runChaosAsync(['recover', '--reports', 'reports'], { cwd, timeoutMs: 180_000 });
    rmSync(cwd, { recursive: true, force: true });
  });
  after(async () => {
    await lab?.stop();
  });

  const replicas = async () => (await apps.readNamespacedDeployment({ name: 'frontend', namespace })).spec?.replicas;
  const chaosAnnotations = async () =>
    Object.keys(
      (await apps.readNamespacedDeployment({ name: 'frontend', namespace })).metadata?.annotations ?? {},
    ).filter((key) => key.startsWith('chaos.dev/'));

  /** Starts frontend-zero and resolves once its fault is applied (frontend at 0 in central). */
  async function duringFault(env: NodeJS.ProcessEnv = {}, checkApplied = true, timeline = phases): Promise<Spawned> {
    const run = spawnChaos(['run', hold, ...timeline, '--reports', 'reports'], cwd, env);
    await until(() => run.output().includes('applied in central'), 'the fault applied').catch((error: Error) => {
      throw new Error(`${error.message}; the run said:\n${run.output()}`);
    });
    if (checkApplied) expect(await replicas()).to.equal(0);
    return run;
  }

  async function expectPutBack(): Promise<void> {
    await until(async () => (await replicas()) === 2, 'frontend back at 2 replicas in central');
    expect(await chaosAnnotations()).to.deep.equal([]);
  }

  it('a closed output pipe (chaos run … | head -n 9): output stops, the run goes on and reverts; k6 is gone', async () => {
    const shell = spawn(
      'bash',
      ['-c', `node ${JSON.stringify(cli)} run ${hold} ${short.join(' ')} | head -n 9; echo "exit=\${PIPESTATUS[0]}"`],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => shell.on('close', resolve));
    const code = Number(/exit=(\d+)/.exec(out)?.[1]);
    // Not a crash: the run's own verdict (the budgets may or may not hold on this machine).
    expect([ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive], out).to.include(code);
    const journal = journalOf(cwd);
    expect(journal.some((e) => e.type === 'fault-applied')).to.equal(true);
    expect(journal.some((e) => e.type === 'mutation-reverted')).to.equal(true);
    await expectPutBack();
    expect(processIsAlive(k6PidOf(journal))).to.equal(false);
  });

  for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
    it(`${signal} during the fault phase: reverted, exit 130, no k6 left`, async () => {
      const run = await duringFault();
      run.child.kill(signal);
      expect(await run.exit, run.output()).to.equal(ExitCode.interrupted);
      await expectPutBack();
      expect(processIsAlive(k6PidOf(journalOf(cwd)))).to.equal(false);
    });
  }

  it('an uncaught error during the fault phase (test hook): reverted, the harness-error exit code', async () => {
    // The error comes 100 ms after the fault is in place: the journal, not a race, shows both.
    const preload = pathToFileURL(path.join(projectRoot, 'test/support/throw-in-fault-phase.mjs')).href;
    const run = await duringFault({ NODE_OPTIONS: `--import=${preload}` }, false);
    expect(await run.exit, run.output()).to.equal(ExitCode.harnessError);
    const journal = journalOf(cwd);
    expect(journal.map((e) => e.type)).to.include.members(['fault-applied', 'mutation-reverted']);
    expect(run.output()).to.include('injected by a test subscriber in the fault phase');
    await expectPutBack();
    expect(processIsAlive(k6PidOf(journalOf(cwd)))).to.equal(false);
  });

  it('k6 killed during the fault phase: reverted, the harness-error exit code', async () => {
    const run = await duringFault();
    process.kill(k6PidOf(journalOf(cwd)), 'SIGKILL');
    expect(await run.exit, run.output()).to.equal(ExitCode.harnessError);
    expect(run.output()).to.match(/k6 died mid-run/);
    await expectPutBack();
  });

  it('kill -9 of chaos run: its k6 stops by itself within 10 s; recover from another folder without the journal puts it back; the next run starts', async () => {
    const run = await duringFault();
    const k6 = k6PidOf(journalOf(cwd));
    run.child.kill('SIGKILL');
    await run.exit;
    await until(() => !processIsAlive(k6), 'k6 stopped after its harness was killed', 10_000);
    expect(await replicas(), 'nothing reverted it yet').to.equal(0);
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'chaos-elsewhere-'));
    try {
      await writeLabState(path.join(elsewhere, '.chaos/lab'), lab);
      const recovered = await runChaosAsync(['recover'], { cwd: elsewhere, timeoutMs: 180_000 });
      expect(recovered.code, recovered.stdout + recovered.stderr).to.equal(ExitCode.passed);
      expect(recovered.stdout).to.include('scale Deployment bank-of-anthos/frontend');
      await expectPutBack();
      // The dead run's lock went with the recover: the next run is not refused.
      const leases = await coordination.listNamespacedLease({ namespace: 'chaos-system' });
      expect(leases.items.map((lease) => lease.metadata?.name)).to.deep.equal([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a lock taken over by force mid-run: the run reverts and exits with the harness-error code', async () => {
    const run = await duringFault();
    const lease = await coordination.readNamespacedLease({ name: 'chaos-lock', namespace: 'chaos-system' });
    await coordination.replaceNamespacedLease({
      name: 'chaos-lock',
      namespace: 'chaos-system',
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'someone else entirely', leaseDurationSeconds: 300 } },
    });
    expect(await run.exit, run.output()).to.equal(ExitCode.harnessError);
    expect(run.output()).to.match(/lock of central lost/);
    expect(journalOf(cwd).some((e) => e.type === 'lock-lost')).to.equal(true);
    await expectPutBack();
    await coordination.deleteNamespacedLease({ name: 'chaos-lock', namespace: 'chaos-system' });
  });

  it('a node a dead run left cordoned: chaos run drain-central refuses to start and names it', async () => {
    const [node] = (await core.listNode()).items;
    const name = node!.metadata!.name!;
    await core.patchNode(
      {
        name,
        body: {
          metadata: {
            annotations: {
              'chaos.dev/run': 'rdeadrun',
              'chaos.dev/fault': 'drain-1',
              'chaos.dev/expires': new Date(Date.now() - 60_000).toISOString(),
              'chaos.dev/cordoned': 'true',
            },
          },
          spec: { unschedulable: true },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const result = await runChaosAsync(['run', 'drain-central', '--phase', 'fault=5s', '--reports', 'reports'], {
      cwd,
      timeoutMs: 120_000,
    });
    const out = result.stdout + result.stderr;
    expect(result.code, out).to.equal(ExitCode.harnessError);
    expect(out).to.include(`cordon Node ${name}`).and.to.include('rdeadrun').and.to.include('chaos recover');
    expect((await core.readNode({ name })).spec?.unschedulable, 'the refused run changed nothing').to.equal(true);
  });

  it('a revert the system never comes back from (every node cordoned by someone else): the harness-error code, naming what to check', async () => {
    const run = await duringFault({ CHAOS_VERIFY_TIMEOUT: '4s' }, true, short);
    const nodes = (await core.listNode()).items.map((n) => n.metadata!.name!);
    const cordon = (unschedulable: boolean) =>
      Promise.all(
        nodes.map((name) =>
          core.patchNode(
            { name, body: { spec: { unschedulable } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          ),
        ),
      );
    await cordon(true);
    try {
      expect(await run.exit, run.output()).to.equal(ExitCode.harnessError);
      expect(run.output()).to.include('not back to health').and.to.include('kubectl --context lab-central');
      expect(await replicas(), 'the revert itself happened').to.equal(2);
    } finally {
      await cordon(false);
    }
  });

  it('an orphaned k6 of a dead run, named in its journal, is stopped by chaos recover', async () => {
    // A process named k6 that a dead harness (a pid that no longer exists) left running.
    const bin = path.join(cwd, 'bin');
    mkdirSync(bin);
    copyFileSync('/bin/sleep', path.join(bin, 'k6'));
    const orphan = spawn(path.join(bin, 'k6'), ['300'], { detached: true, stdio: 'ignore' });
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('close', resolve));
    const runDir = path.join(cwd, 'reports', '20260101T000000Z-frontend-zero');
    mkdirSync(runDir, { recursive: true });
    const entries: JournalEntry[] = [
      {
        type: 'run-started',
        atMs: 1,
        runId: 'rorphan',
        scenario: 'frontend-zero',
        environment: 'lab',
        host: hostname(),
        pid: dead.pid!,
      },
      { type: 'k6-started', atMs: 2, pid: orphan.pid!, host: hostname() },
    ];
    writeFileSync(path.join(runDir, 'journal.jsonl'), entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    try {
      const result = await runChaosAsync(['recover', '--reports', 'reports'], { cwd, timeoutMs: 120_000 });
      expect(result.stdout).to.include(`stopped k6 (pid ${orphan.pid}) left running by dead run rorphan`);
      await until(() => orphan.exitCode !== null || orphan.signalCode !== null, 'the orphan stopped', 10_000);
    } finally {
      if (orphan.exitCode === null) orphan.kill('SIGKILL');
    }
  });
});
