/**
 * Kubeconfig paths as kubectl reads them, through the real CLI against real kube-apiservers:
 * `KUBECONFIG` naming several files (one missing: skipped, as kubectl skips it), and an
 * environment's `kubeconfig: ~/...` (HOME pointed at a temp folder). `chaos plan` reads both
 * clusters through them: its parity line can only say "same in central, west" when it did.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { endpointOf, realServer, type FaultTestServer } from '../faults/support/servers.js';
import { runChaosAsync } from '../support/cli.js';
import { renderKubeconfig } from '../support/real-cluster.js';
import { writeEnvironment, writeScenario } from '../support/real-run.js';

const clusters = ['central', 'west'] as const;

describe('kubeconfig paths like kubectl, through the real CLI (real kube-apiservers)', function () {
  this.timeout(300_000);
  let server: FaultTestServer;
  let dir: string;
  let scenario: string;
  /** The kubeconfig of one cluster, its context named `ctx-<cluster>`. */
  const kubeconfigOf = (cluster: string): string => {
    const endpoint = endpointOf(server, cluster);
    return renderKubeconfig(
      `ctx-${cluster}`,
      endpoint.server,
      Buffer.from(endpoint.caPem).toString('base64'),
      endpoint.token,
    );
  };

  before(async function () {
    this.timeout(600_000);
    server = await realServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-kubeconfig-paths-'));
    scenario = writeScenario(
      path.join(dir, 'frontend-zero-plan.yaml'),
      'frontend-zero-plan',
      { baseline: '1s', fault: '1s', recovery: '1s' },
      [{ type: 'scale', cluster: 'central', name: 'frontend', replicas: 0 }],
    );
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** An environment over both clusters with contexts ctx-central and ctx-west; `kubeconfig` per cluster or none. */
  function environment(name: string, kubeconfig?: string): string {
    return writeEnvironment(
      path.join(dir, `${name}.yaml`),
      name,
      Object.fromEntries(
        clusters.map((cluster) => [
          cluster,
          { context: `ctx-${cluster}`, kubeconfig, ingressUrl: `http://127.0.0.1:9/${cluster}` },
        ]),
      ),
    );
  }

  it('KUBECONFIG=a:missing:b — the missing file skipped, each context found in its own file', async () => {
    const a = path.join(dir, 'a.kubeconfig');
    const b = path.join(dir, 'b.kubeconfig');
    writeFileSync(a, kubeconfigOf('central'), { mode: 0o600 });
    writeFileSync(b, kubeconfigOf('west'), { mode: 0o600 });
    const list = [a, path.join(dir, 'missing.kubeconfig'), b].join(path.delimiter);
    const plan = await runChaosAsync(['plan', scenario, '--env', environment('from-kubeconfig-env')], {
      cwd: dir,
      env: { KUBECONFIG: list, HOME: dir },
    });
    expect(plan.code, `${plan.stdout}${plan.stderr}`).to.equal(ExitCode.passed);
    expect(plan.stdout).to.include('cluster central (context ctx-central)');
    expect(plan.stdout).to.include('parity frontend: same in central, west');

    const validate = await runChaosAsync(['validate', scenario, '--env', environment('from-kubeconfig-env')], {
      cwd: dir,
      env: { KUBECONFIG: list, HOME: dir },
    });
    expect(validate.code, `${validate.stdout}${validate.stderr}`).to.equal(ExitCode.passed);

    // None of the files exists: `chaos validate --env` refuses the environment and names the file.
    const none = await runChaosAsync(['validate', scenario, '--env', environment('from-kubeconfig-env')], {
      cwd: dir,
      env: { KUBECONFIG: path.join(dir, 'missing.kubeconfig'), HOME: dir },
    });
    expect(none.code, `${none.stdout}${none.stderr}`).to.equal(ExitCode.invalidInput);
    expect(none.stderr).to.include(`none of the files in KUBECONFIG exists (${path.join(dir, 'missing.kubeconfig')})`);
  });

  it('an environment with kubeconfig: ~/... — read from the HOME the CLI runs with', async () => {
    const home = mkdtempSync(path.join(dir, 'home-'));
    mkdirSync(path.join(home, 'kube'));
    // Both contexts in one file under the temp HOME.
    writeFileSync(path.join(home, 'kube', 'central.yaml'), kubeconfigOf('central'), { mode: 0o600 });
    writeFileSync(path.join(home, 'kube', 'west.yaml'), kubeconfigOf('west'), { mode: 0o600 });
    const file = writeEnvironment(path.join(dir, 'tilde.yaml'), 'tilde', {
      central: { context: 'ctx-central', kubeconfig: '~/kube/central.yaml', ingressUrl: 'http://127.0.0.1:9/central' },
      west: { context: 'ctx-west', kubeconfig: '~/kube/west.yaml', ingressUrl: 'http://127.0.0.1:9/west' },
    });
    const plan = await runChaosAsync(['plan', scenario, '--env', file], {
      cwd: dir,
      env: { HOME: home, KUBECONFIG: undefined },
    });
    expect(plan.code, `${plan.stdout}${plan.stderr}`).to.equal(ExitCode.passed);
    expect(plan.stdout).to.include('parity frontend: same in central, west');

    // Another HOME, where ~/kube holds nothing: the same file cannot be read, and that is named.
    const elsewhere = await runChaosAsync(['plan', scenario, '--env', file], {
      cwd: dir,
      env: { HOME: mkdtempSync(path.join(dir, 'empty-home-')), KUBECONFIG: undefined },
    });
    const out = `${elsewhere.stdout}${elsewhere.stderr}`;
    expect(out).not.to.include('parity frontend: same in central, west');
    expect(out).to.match(/kube\/central\.yaml/);
  });
});
