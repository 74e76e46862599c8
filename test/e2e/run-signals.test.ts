/**
 * SIGINT during the fault phase, and a k6 script error, against a lab this test process runs
 * (so the cluster outlives the CLI and the test can check that everything was put back).
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { startLab, writeLabState, type RunningLab } from '../../src/lab/index.js';
import { cliEnv, projectRoot, runChaosAsync } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

const hold = path.join(projectRoot, 'test/fixtures/scenarios/hold-central-frontend.yaml');
describe('chaos run: signals and k6 failures (real k6, lab outside the CLI)', function () {
  this.timeout(180_000);
  let lab: RunningLab;
  let cwd: string;
  let apps: k8s.AppsV1Api;

  before(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-signals-'));
    lab = await startLab({ ingressPort: 0 }); // free ports: beside other tests and a developer's lab
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    const config = new k8s.KubeConfig();
    config.loadFromString(lab.kubeconfig());
    config.setCurrentContext('lab-central');
    apps = config.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await lab?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const seen = new Set<string>();
  const frontend = () => apps.readNamespacedDeployment({ name: 'frontend', namespace: 'bank-of-anthos' });

  const variants = [
    { signal: 'SIGINT', twice: false, title: 'SIGINT during the fault phase' },
    { signal: 'SIGTERM', twice: false, title: 'SIGTERM during the fault phase' },
    { signal: 'SIGINT', twice: true, title: 'a second SIGINT (skip waiting for k6, never the revert)' },
  ] as const;
  for (const { signal, twice, title } of variants)
    it(`${title}: faults reverted, k6 stopped, results written, the interrupted exit code`, async () => {
      const before = await frontend();
      const child = spawn(
        process.execPath,
        [
          path.join(projectRoot, 'bin/chaos.js'),
          'run',
          // frontend-zero's fault with no abort limit: a stalled machine must not end the run before the signal does.
          hold,
          '--phase',
          'baseline=3s',
          '--phase',
          'fault=60s',
          '--reports',
          'reports',
        ],
        { cwd, env: cliEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const interrupt = () => {
        child.kill(signal);
        if (twice) {
          // The second once the first was acknowledged (the message below), not after a pause.
          void waitFor(() => out.includes(`${signal}: reverting every fault`), {
            timeoutMs: 60_000,
            what: 'the first signal acknowledged',
          }).then(() => child.kill(signal));
        }
      };
      const code = await new Promise<number | null>((resolve) => {
        let sent = false;
        const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
        child.stdout.on('data', () => {
          if (!sent && /fault scale-1 applied in central/.test(out)) {
            sent = true;
            // During the fault: once the cluster shows frontend at zero, not after a guessed pause.
            void waitFor(async () => (await frontend()).spec?.replicas === 0, {
              timeoutMs: 60_000,
              what: 'frontend at 0 replicas in central',
            }).then(
              () => interrupt(),
              () => interrupt(),
            );
          }
        });
        child.on('close', (status) => {
          clearTimeout(timer);
          resolve(status);
        });
      });
      expect(code, out).to.equal(ExitCode.interrupted);
      expect(out).to.include(`${signal}: reverting every fault`);
      const after = await frontend();
      expect(after.spec?.replicas).to.equal(before.spec?.replicas);
      expect(
        Object.keys(after.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
      ).to.deep.equal([]);
      const [runDir] = readdirSync(path.join(cwd, 'reports')).filter((name) => !seen.has(name));
      seen.add(runDir!);
      const result = JSON.parse(readFileSync(path.join(cwd, 'reports', runDir!, 'result.json'), 'utf8')) as {
        outcome: { status: string };
        k6: { kind: string };
      };
      expect(result.outcome.status).to.equal('interrupted');
      if (!twice) expect(result.k6.kind).to.equal('stopped');
      const journal = readFileSync(path.join(cwd, 'reports', runDir!, 'journal.jsonl'), 'utf8');
      expect(journal).to.include('"type":"mutation-reverted"');
    });

  it('a blind harness (k6 sent requests it never saw): the harness-error code, no verdict, nothing left applied', async () => {
    const result = await runChaosAsync(
      ['run', 'frontend-zero', '--phase', 'baseline=3s', '--phase', 'fault=3s', '--phase', 'recovery=3s'],
      {
        cwd,
        env: { CHAOS_K6_SCRIPT: path.join(projectRoot, 'test/fixtures/k6/unrecorded.ts') },
        timeoutMs: 120_000,
      },
    );
    const out = result.stdout + result.stderr;
    expect(result.code, out).to.equal(ExitCode.harnessError);
    expect(out).to.match(/the harness saw 0 of the \d+ requests k6 reports having sent/);
    expect(out).to.not.match(/budgets breached|FAILED:/);
    expect((await frontend()).spec?.replicas).to.equal(2);
  });

  it('a k6 script error: a clear message, the harness-error code, nothing left applied', async () => {
    const result = await runChaosAsync(['run', 'frontend-zero', '--reports', 'reports-broken'], {
      cwd,
      env: { CHAOS_K6_SCRIPT: path.join(projectRoot, 'test/fixtures/k6/broken.ts') },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stdout + result.stderr).to.equal(ExitCode.harnessError);
    expect(result.stdout + result.stderr, result.stdout + result.stderr)
      .to.match(/k6 script error \(exit 107\)/)
      .and.to.include('broken on purpose');
    const after = await frontend();
    expect(after.spec?.replicas).to.equal(2);
    const [runDir] = readdirSync(path.join(cwd, 'reports-broken'));
    expect(readFileSync(path.join(cwd, 'reports-broken', runDir!, 'journal.jsonl'), 'utf8')).not.to.include(
      'mutation-intended',
    );
  });
});
