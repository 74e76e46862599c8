/**
 * The promise the nightly job rests on, against the real CLI: `chaos run` killed with SIGKILL at
 * several points, then `chaos recover` run from another working directory, without the run's
 * journal (the reports folder is elsewhere) — everything restored, nothing else touched. The lab
 * is the test's own `chaos lab up` (free ports, a private state folder): it outlives the runs.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { cliEnv, projectRoot, runChaosAsync } from '../support/cli.js';
import { labClusterState } from '../support/lab-cluster-state.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { waitFor } from '../support/wait.js';

interface KillPoint {
  scenario: string;
  when: string;
  /** What the run prints (or the cluster shows) at the point it is killed. */
  reached: (out: string) => boolean;
  /** The cluster shows the fault while the run lives (when the point is past apply). */
  applied?: (state: unknown) => boolean;
  /** The baseline's length: short, unless the run is killed during it. */
  baseline?: string;
}

const central = (state: unknown) =>
  (state as { central: { deployments: Array<{ name: string; replicas: number }> } }).central;

const points: KillPoint[] = [
  {
    scenario: path.join(projectRoot, 'test/fixtures/scenarios/hold-central-control-plane.yaml'),
    when: 'during the fault (istiod and frontend at zero in central)',
    reached: (out) => /fault scale-2 applied in central/.test(out),
    applied: (state) =>
      (state as { central: { system: Array<{ name: string; replicas: number }> } }).central.system.find(
        (d) => d.name === 'istiod',
      )?.replicas === 0 && central(state).deployments.find((d) => d.name === 'frontend')?.replicas === 0,
  },
  {
    scenario: 'frontend-zero',
    when: 'during the fault (frontend at zero in central)',
    reached: (out) => /fault scale-1 applied in central/.test(out),
    applied: (state) => central(state).deployments.find((d) => d.name === 'frontend')?.replicas === 0,
  },
  {
    scenario: 'istio-abort',
    when: 'right after the apply was announced (the route may or may not have landed)',
    reached: (out) => /applied in/.test(out),
  },
  {
    scenario: 'frontend-zero',
    when: 'during the baseline, before any fault',
    reached: (out) => /baseline/.test(out),
    baseline: '20s',
  },
];

describe('chaos run killed with SIGKILL, then chaos recover from elsewhere without the journal', function () {
  this.timeout(300_000);
  let lab: LabProcess;
  let initial: unknown;
  const dirs: string[] = [];

  before(async function () {
    this.timeout(180_000);
    lab = await startLabProcess();
    initial = await labClusterState(lab.state.kubeconfig);
  });
  after(async () => {
    await lab?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const point of points) {
    it(`${point.scenario}, killed ${point.when}: recover restores everything and touches nothing else`, async () => {
      const runCwd = mkdtempSync(path.join(tmpdir(), 'chaos-kill-run-'));
      const recoverCwd = mkdtempSync(path.join(tmpdir(), 'chaos-kill-recover-'));
      dirs.push(runCwd, recoverCwd);
      const child = spawn(
        process.execPath,
        [
          path.join(projectRoot, 'bin/chaos.js'),
          'run',
          point.scenario,
          '--phase',
          `baseline=${point.baseline ?? '3s'}`,
          '--reports',
          'reports',
        ],
        { cwd: runCwd, env: cliEnv(runCwd, lab.env), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`${code}/${signal}`)));
      try {
        await waitFor(() => point.reached(out), { timeoutMs: 120_000, what: `the run to reach: ${point.when}` });
        if (point.applied) {
          const applied = point.applied;
          await waitFor(async () => applied(await labClusterState(lab.state.kubeconfig)), {
            // Generous: on a machine shared with other work the run can take a minute to reach its fault.
            timeoutMs: 150_000,
            what: 'the cluster to show the fault',
          });
        }
      } finally {
        child.kill('SIGKILL');
      }
      expect(await exited).to.equal('null/SIGKILL');
      if (point.applied) expect(await labClusterState(lab.state.kubeconfig)).not.to.deep.equal(initial);

      // Another folder: no reports/ there, so no journal; the lab is found through CHAOS_STATE_DIR.
      const recovered = await runChaosAsync(['recover', '--lock-wait', '120'], {
        cwd: recoverCwd,
        env: lab.env,
        timeoutMs: 240_000,
      });
      expect(recovered.code, `${out}\n--- recover:\n${recovered.stdout}\n${recovered.stderr}`).to.equal(
        ExitCode.passed,
      );
      // Everything as it was, the killed run's lock Lease included: recover took it over (its
      // holder provably dead on this machine) and released it, so the next run starts at once.
      expect(JSON.stringify(await labClusterState(lab.state.kubeconfig), null, 1)).to.equal(
        JSON.stringify(initial, null, 1),
      );
    });
  }
});
