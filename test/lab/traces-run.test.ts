/**
 * Issue 31, judged item 4: a failed request of a real `chaos run` is found in the mesh by its
 * trace id. The run (real k6, the lab in this process) injects 503s at central's gateway; the
 * result lists the trace ids of failed requests per window, and `kubectl logs` of central's
 * ingress gateway Pod shows each of them on a 503 line.
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

const scenario = `
name: traced-aborts
description: half of central's requests answered 503 by its gateway during the fault
environment: lab
load: { rate: 10, paths: [/], timeout: 5s }
phases: { baseline: 2s, fault: 4s, recovery: 2s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 50 }
budgets:
  baseline: { http_req_failed: rate<0.5 }
`;

describe('traces: a failed request of a run, found in the gateway log by its trace id (lab, real k6, kubectl)', function () {
  this.timeout(180_000);
  let lab: RunningLab;
  let cwd: string;
  const kubectl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        kubectlPath,
        ['--context', 'lab-central', ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: cwd, KUBECONFIG: path.join(cwd, 'kubeconfig') }, timeout: 60_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      );
    });

  before(async () => {
    if (!existsSync(kubectlPath))
      throw new Error(`kubectl is missing at ${kubectlPath}: run \`bash scripts/build-kube-tools.sh\``);
    ({ lab } = await startTestLab());
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-traces-'));
    writeFileSync(path.join(cwd, 'kubeconfig'), lab.kubeconfig(), { mode: 0o600 });
    writeFileSync(path.join(cwd, 'traced-aborts.yaml'), scenario);
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
  });
  after(async () => {
    await lab?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("every failed request's trace id in the result is on a 503 line of central's gateway Pod log", async () => {
    const run = await runChaosAsync(['run', 'traced-aborts.yaml', '--quiet', '--reports', 'reports'], {
      cwd,
      timeoutMs: 150_000,
    });
    expect([ExitCode.passed, ExitCode.budgetsBreached], `${run.stdout}\n${run.stderr}`).to.include(run.code);
    const folder = readdirSync(path.join(cwd, 'reports')).find((name) => name.endsWith('-traced-aborts'))!;
    const result = JSON.parse(readFileSync(path.join(cwd, 'reports', folder, 'result.json'), 'utf8')) as {
      windows: Array<{ ingress: string; failures: number; failedTraceIds?: string[] }>;
    };
    const central = result.windows.filter((w) => w.ingress === 'central');
    const ids = central.flatMap((w) => w.failedTraceIds ?? []);
    expect(ids.length, 'failed requests with trace ids').to.be.greaterThan(0);
    for (const window of central) expect(window.failedTraceIds?.length ?? 0).to.equal(Math.min(10, window.failures));

    const [pod] = (await kubectl('get', 'pods', '-n', 'asm-gateways', '-l', 'istio=ingressgateway', '-o', 'name'))
      .split('\n')
      .filter(Boolean);
    expect(pod, 'the gateway Pod').to.be.a('string');
    const log = (await kubectl('logs', pod!, '-n', 'asm-gateways')).split('\n');
    for (const id of ids) {
      const lines = log.filter((line) => line.endsWith(` trace_id=${id}`));
      expect(lines, id).to.have.length(1);
      expect(lines[0]).to.match(/ GET \/ 503 \d+ms caller=\S+ cluster=central pod=istio-ingressgateway-\S+ trace_id=/);
    }
  });
});
