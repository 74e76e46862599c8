/**
 * k6 failing under a real `chaos run` (the built CLI, the test's own `chaos lab up`): k6 killed
 * mid-run, a record of a key never defined or with a non-numeric duration, a truncated last
 * line. Each must end with the harness-error code (README: "k6 missing or crashed"), a message
 * that names the problem, and every fault reverted — read from the cluster. k6 is a wrapper
 * around the real binary (test/fixtures/k6/misbehaving-k6.sh) that misbehaves once the test,
 * having seen the fault in the cluster, creates its trigger file.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { requireK6 } from '../../src/load/k6-binary.js';
import { cliEnv, projectRoot, runChaosAsync } from '../support/cli.js';
import { labClusterState } from '../support/lab-cluster-state.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { waitFor } from '../support/wait.js';

const cases = [
  { mode: 'crash', title: 'k6 killed mid-run', message: /k6/i },
  { mode: 'truncated', title: 'a truncated last line', message: /record|line|truncated|k6/i },
  { mode: 'nodata', title: 'a record of a key never defined', message: /record line the harness cannot read/ },
  {
    mode: 'nan',
    title: 'a record with a non-numeric duration',
    message: /record line the harness cannot read/,
  },
] as const;

describe('k6 failing mid-run: a clear error, the harness-error code, faults reverted', function () {
  this.timeout(240_000);
  let lab: LabProcess;
  let realK6: string;
  let initial: unknown;
  const dirs: string[] = [];

  before(async function () {
    this.timeout(180_000);
    realK6 = (await requireK6()).path;
    lab = await startLabProcess();
    initial = await labClusterState(lab.state.kubeconfig);
  });
  after(async () => {
    await lab?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const { mode, title, message } of cases) {
    it(`${title}: exit 3, says what went wrong, reverts the fault`, async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), `chaos-k6-${mode}-`));
      dirs.push(cwd);
      const trigger = path.join(cwd, 'misbehave-now');
      const child = spawn(
        process.execPath,
        [
          path.join(projectRoot, 'bin/chaos.js'),
          'run',
          // frontend-zero's fault with no abort limit: a stalled machine must not end the run (exit 1)
          // before k6 misbehaves.
          path.join(projectRoot, 'test/fixtures/scenarios/hold-central-frontend.yaml'),
          '--phase',
          'baseline=3s',
          '--phase',
          'fault=120s',
          '--reports',
          'reports',
        ],
        {
          cwd,
          env: cliEnv(cwd, {
            ...lab.env,
            K6_BIN: path.join(projectRoot, 'test/fixtures/k6/misbehaving-k6.sh'),
            REAL_K6: realK6,
            CHAOS_TEST_TRIGGER: trigger,
            CHAOS_TEST_MODE: mode,
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await waitFor(
          async () =>
            (
              (await labClusterState(lab.state.kubeconfig)) as {
                central: { deployments: Array<{ name: string; replicas: number }> };
              }
            ).central.deployments.find((d) => d.name === 'frontend')?.replicas === 0,
          { timeoutMs: 120_000, what: 'frontend at zero in central (the fault applied)' },
        );
        writeFileSync(trigger, mode);
        const code = await Promise.race([
          exited,
          waitFor(() => false, { timeoutMs: 180_000, what: 'chaos run to end' }).catch(() => 'hung'),
        ]);
        expect(code, out).to.equal(ExitCode.harnessError);
        expect(out).to.match(message);
      } finally {
        child.kill('SIGKILL');
      }
      const after = await labClusterState(lab.state.kubeconfig);
      // Whatever this case found, the next one starts from a clean lab.
      if (JSON.stringify(after) !== JSON.stringify(initial))
        await runChaosAsync(['recover', '--lock-wait', '120'], { cwd, env: lab.env, timeoutMs: 200_000 });
      expect(after).to.deep.equal(initial);
    });
  }
});
