/**
 * The lab behaves like a guarded cluster: `chaos lab up` runs a guard in its process, so a
 * `chaos run` killed with SIGKILL during its fault is reverted without anyone running
 * `chaos recover` — the cluster back as it was, an Event on the reverted object, and a recover
 * afterwards finds nothing. The lab is the test's own (free ports, a private state folder).
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as pause } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import { labEnvironment } from '../../src/environment/lab-environment.js';
import { revertedReason } from '../../src/guard/revert-events.js';
import { journalFileName } from '../../src/run/record/journal.js';
import { inspectLock } from '../../src/run/session/lock.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { spawnChaos } from '../support/guard-kit.js';
import { labClusterState } from '../support/lab-cluster-state.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { waitFor } from '../support/wait.js';

describe("chaos lab up's guard reverts a chaos run killed with SIGKILL, without recover", function () {
  this.timeout(300_000);
  let lab: LabProcess;
  let cwd: string;

  before(async function () {
    this.timeout(180_000);
    lab = await startLabProcess(['--guard-grace', '1s']);
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-lab-guard-'));
  });
  after(async () => {
    await lab?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('a run holding control-plane and frontend at zero in central, killed during it: istiod and frontend come back', async () => {
    await waitFor(() => /guard: reverts the faults of a run killed without reverting/.test(lab.output()), {
      timeoutMs: 60_000,
      what: "the lab's guard to start",
    });
    const initial = await labClusterState(lab.state.kubeconfig);
    const run = spawnChaos(
      [
        'run',
        path.join(projectRoot, 'test/fixtures/scenarios/hold-central-control-plane.yaml'),
        '--reports',
        'reports',
      ],
      cwd,
      lab.env,
    );
    const down = (state: unknown) =>
      (state as { central: { system: Array<{ name: string; replicas: number }> } }).central.system.find(
        (d) => d.name === 'istiod',
      )?.replicas === 0;
    await waitFor(
      async () =>
        /fault scale-2 applied in central/.test(run.output()) && down(await labClusterState(lab.state.kubeconfig)),
      { timeoutMs: 120_000, what: 'istiod and frontend at zero in central' },
    );
    expect(await run.kill('SIGKILL'), run.output()).to.equal('null/SIGKILL');
    await waitFor(async () => JSON.stringify(await labClusterState(lab.state.kubeconfig)) === JSON.stringify(initial), {
      timeoutMs: 180_000,
      what: `the lab's guard to revert\n${lab.output()}`,
    });
    const recovered = await runChaosAsync(['recover', '--reports', 'none'], { cwd, env: lab.env, timeoutMs: 120_000 });
    expect(recovered.code, recovered.stdout + recovered.stderr).to.equal(ExitCode.passed);
    expect(recovered.stdout).to.match(/nothing to recover/);
  });

  interface Held {
    deployments: Array<{ name: string; replicas: number }>;
    hpas: Array<{ name: string; minReplicas: number; maxReplicas: number; chaos: string[] }>;
  }
  const central = (state: unknown): Held => (state as { central: Held }).central;

  /** Runs `scenario`, waits until `held` sees its fault in central, kills it, and waits for the guard. */
  async function killDuringFault(scenario: string, held: (central: Held) => boolean): Promise<string[]> {
    // The state file comes first, then the guard starts and says so.
    await waitFor(() => /guard: reverts the faults of a run killed without reverting/.test(lab.output()), {
      timeoutMs: 60_000,
      what: "the lab's guard to start",
    });
    const initial = await labClusterState(lab.state.kubeconfig);
    const run = spawnChaos(
      ['run', path.join(projectRoot, 'test/fixtures/scenarios', scenario), '--reports', 'reports'],
      cwd,
      lab.env,
    );
    await waitFor(
      async () =>
        /fault scale-1 applied in central/.test(run.output()) &&
        held(central(await labClusterState(lab.state.kubeconfig))),
      { timeoutMs: 120_000, what: `the fault of ${scenario} in central` },
    );
    expect(await run.kill('SIGKILL'), run.output()).to.equal('null/SIGKILL');

    await waitFor(async () => JSON.stringify(await labClusterState(lab.state.kubeconfig)) === JSON.stringify(initial), {
      timeoutMs: 180_000,
      what: `the lab's guard to revert\n${lab.output()}`,
    });
    expect(lab.output()).to.match(/guard: central: reverting run \w+: its Lease was not renewed/);
    const apis = connectEnvironment(labEnvironment(), { kubeconfigYaml: readFileSync(lab.state.kubeconfig, 'utf8') });
    const events = await waitFor(
      async () => {
        const found = (await apis.get('central')!.listEvents('bank-of-anthos')).filter(
          (e) => e.reason === revertedReason,
        );
        return found.length > 0 && found;
      },
      { timeoutMs: 60_000, what: 'the Event of the revert' },
    );
    expect(events[0]!.source?.component).to.equal('chaos-guard');
    const recovered = await runChaosAsync(['recover', '--reports', 'none'], { cwd, env: lab.env, timeoutMs: 120_000 });
    expect(recovered.code, recovered.stdout + recovered.stderr).to.equal(ExitCode.passed);
    expect(recovered.stdout).to.match(/nothing to recover/);
    return events.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}`);
  }

  it('the guard inside the lab watches every kind it is built to watch (no "not watching")', async () => {
    await waitFor(() => /guard: reverts the faults of a run killed without reverting/.test(lab.output()), {
      timeoutMs: 60_000,
      what: "the lab's guard to start",
    });
    expect(lab.output()).not.to.include('not watching');
  });

  it("a run holding frontend-zero's fault, killed during it: the lab guard puts everything back and says so", async () => {
    // frontend-zero's fault with no abort limit: a stalled machine must not make the run revert it first.
    const reverted = await killDuringFault(
      'hold-central-frontend.yaml',
      (held) => held.deployments.find((d) => d.name === 'frontend')?.replicas === 0,
    );
    expect(reverted).to.include('Deployment/frontend');
  });

  it('a run holding frontend at one replica, its HPA pinned to 1..1, killed during it: the guard unpins the HPA and restores the count', async () => {
    const reverted = await killDuringFault(
      'hold-central-frontend-one.yaml',
      (held) =>
        held.deployments.find((d) => d.name === 'frontend')?.replicas === 1 &&
        held.hpas.some(
          (h) => h.name === 'frontend' && h.minReplicas === 1 && h.maxReplicas === 1 && h.chaos.length > 0,
        ),
    );
    // Back to 2..6 and 2 replicas without chaos annotations: killDuringFault compared the whole state.
    expect(reverted).to.include.members(['Deployment/frontend', 'HorizontalPodAutoscaler/frontend']);
  });

  it('a run frozen (SIGSTOP) past its lease during the fault, reverted by the guard, then resumed: it re-applies nothing, ends invalid, exit 3', async () => {
    const initial = await labClusterState(lab.state.kubeconfig);
    const reports = path.join(cwd, 'stopped');
    const run = spawnChaos(
      ['run', path.join(projectRoot, 'test/fixtures/scenarios/hold-central-frontend.yaml'), '--reports', reports],
      cwd,
      lab.env,
    );
    await waitFor(() => /fault scale-1 applied in central/.test(run.output()), {
      timeoutMs: 120_000,
      what: `the fault applied\n${run.output()}`,
    });
    const guardLines = () =>
      lab
        .output()
        .split('\n')
        .filter((line) => /guard: central: reverting run/.test(line)).length;
    const revertsBefore = guardLines();
    // A closed lid or Ctrl-Z: the harness stops; k6 and the lab go on.
    run.child.kill('SIGSTOP');
    try {
      await waitFor(
        async () =>
          guardLines() > revertsBefore &&
          JSON.stringify(await labClusterState(lab.state.kubeconfig)) === JSON.stringify(initial),
        { timeoutMs: 180_000, what: `the lab's guard to revert the frozen run\n${lab.output()}` },
      );
    } finally {
      run.child.kill('SIGCONT');
    }
    const exit = await Promise.race([run.exited, pause(180_000).then(() => 'still running')]);
    expect(exit, run.output()).to.equal(`${ExitCode.harnessError}/null`);
    expect(run.output()).to.match(/lock of central lost: its Lease (is gone|is now held by guard-revert)/);
    const [folder] = readdirSync(reports).filter((name) => existsSync(path.join(reports, name, 'result.json')));
    const result = JSON.parse(readFileSync(path.join(reports, folder!, 'result.json'), 'utf8')) as {
      outcome: { status: string; exitCode: number };
    };
    expect(result.outcome).to.include({ status: 'invalid', exitCode: ExitCode.harnessError });
    // It re-applied nothing: one mutation intended in its whole journal, the one before the freeze.
    const journal = readFileSync(path.join(reports, folder!, journalFileName), 'utf8');
    expect(journal.split('\n').filter((line) => line.includes('"mutation-intended"')).length).to.equal(1);
    expect(JSON.stringify(await labClusterState(lab.state.kubeconfig))).to.equal(JSON.stringify(initial));
    const apis = connectEnvironment(labEnvironment(), { kubeconfigYaml: readFileSync(lab.state.kubeconfig, 'utf8') });
    const [lock] = await inspectLock(new Map([['central', apis.get('central')!]]));
    expect(lock?.holder, 'the resumed run took its lock back').to.equal(undefined);
  });
});
