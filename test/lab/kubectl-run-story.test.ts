/**
 * What a game day reaches for first, after a real `chaos run frontend-zero` against a running lab:
 * `kubectl logs` of west's frontend Pods shows the requests of the run (during the fault, those
 * that entered through central's gateway, which then had no frontend of its own), and
 * `kubectl get events` in central shows frontend scaled down to zero and back up.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { writeLabState, type RunningLab } from '../../src/lab/index.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { startTestLab } from './lab-test-kit.js';

const kubectlPath = path.join(projectRoot, '.tools/bin/kubectl');

describe('kubectl tells the story of a chaos run on the lab', function () {
  this.timeout(180_000);
  let lab: RunningLab;
  let cwd: string;
  let result: { phases: Array<{ name: string; startedAt: string; endedAt: string | null }> };
  const kubectl = (context: string, ...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        kubectlPath,
        ['--context', `lab-${context}`, ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: cwd, KUBECONFIG: path.join(cwd, 'kubeconfig') }, timeout: 60_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      );
    });

  before(async () => {
    if (!existsSync(kubectlPath))
      throw new Error(`kubectl is missing at ${kubectlPath}: run \`bash scripts/build-kube-tools.sh\``);
    ({ lab } = await startTestLab());
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-kubectl-story-'));
    writeFileSync(path.join(cwd, 'kubeconfig'), lab.kubeconfig(), { mode: 0o600 });
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    const short = ['--phase', 'baseline=3s', '--phase', 'fault=6s', '--phase', 'recovery=4s'];
    const run = await runChaosAsync(['run', 'frontend-zero', ...short, '--quiet', '--reports', 'reports'], {
      cwd,
      timeoutMs: 150_000,
    });
    expect(
      [ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive],
      `${run.stdout}\n${run.stderr}`,
    ).to.include(run.code);
    const folder = readdirSync(path.join(cwd, 'reports')).find((name) => name.endsWith('-frontend-zero'))!;
    result = JSON.parse(readFileSync(path.join(cwd, 'reports', folder, 'result.json'), 'utf8')) as typeof result;
  });
  after(async () => {
    await lab?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("kubectl logs of west's frontend Pods shows the run's requests from central's gateway during the fault", async () => {
    const fault = result.phases.find((phase) => phase.name === 'fault')!;
    const [from, to] = [Date.parse(fault.startedAt), Date.parse(fault.endedAt!)];
    const pods = (await kubectl('west', 'get', 'pods', '-n', 'bank-of-anthos', '-l', 'app=frontend', '-o', 'name'))
      .split('\n')
      .filter(Boolean);
    expect(pods).to.not.be.empty;
    let fromCentral = 0;
    for (const pod of pods) {
      const log = await kubectl('west', 'logs', pod, '-n', 'bank-of-anthos');
      for (const line of log.split('\n').filter(Boolean)) {
        // The journeys: GET /home and /login, POST /login, /payment, /deposit, /logout (query strings kept).
        const match =
          /^(\S+Z) (GET|POST) (\/\S*) (\d{3}) \d+ms caller=(\S+) cluster=west pod=\S+ trace_id=[0-9a-f]{32}$/.exec(
            line,
          );
        expect(match, `an access-log line: ${line}`).to.not.equal(null);
        const at = Date.parse(match![1]!);
        if (match![5] === 'central/istio-ingressgateway-central' && at >= from && at <= to) fromCentral += 1;
      }
    }
    expect(fromCentral, "requests that entered through central's gateway during the fault").to.be.greaterThan(0);
  });

  it('kubectl get events in central shows frontend scaled down to zero, then back up', async () => {
    const events = await kubectl('central', 'get', 'events', '-n', 'bank-of-anthos');
    const down = events.search(
      /ScalingReplicaSet\s+deployment\/frontend\s+Scaled down replica set frontend-\w+ to 0 from 2/,
    );
    // Names sort by time, like the real recorder's: the lab's start-up scale-up comes first, ours after the scale-down.
    const ups = [
      ...events.matchAll(
        new RegExp(
          /ScalingReplicaSet\s+deployment\/frontend\s+Scaled up replica set frontend-\w+ to 2 from 0/.source,
          'g',
        ),
      ),
    ].map((match) => match.index);
    const up = Math.max(-1, ...ups);
    expect(down, events).to.be.greaterThan(-1);
    expect(up, events).to.be.greaterThan(down);
  });
});
