/**
 * Suites end to end: the built CLI, real k6, and a lab this test process runs (so the test can
 * see that everything was put back). A suite where only the middle scenario fails exits with the
 * budgets-breached code and still runs the third, with settle checks between them and one
 * combined junit.xml; --fail-fast stops after the failure; `chaos run nightly` runs every
 * shipped scenario (with short phases). Assertions are about codes, order and files, never time.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ExitCode } from '../../../src/errors/exit-codes.js';
import { startLab, writeLabState, type RunningLab } from '../../../src/lab/index.js';
import { listYamlFiles, packageRoot } from '../../../src/input/files.js';
import { projectRoot, runChaosAsync } from '../../support/cli.js';

const suiteFile = path.join(projectRoot, 'test/play/suite/fixtures/middle-fails.yaml');

interface Batch {
  exitCode: number;
  runs: Array<{ scenario: string; exitCode: number; folder: string | null; error?: string }>;
}

describe('suites end to end (real k6, lab in this process)', function () {
  this.timeout(900_000);
  let lab: RunningLab;
  let cwd: string;
  let custom: k8s.CustomObjectsApi;
  let apps: k8s.AppsV1Api;

  before(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-suite-'));
    lab = await startLab({ ingressPort: 0 }); // free ports: beside other tests and a developer's lab
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    const config = new k8s.KubeConfig();
    config.loadFromString(lab.kubeconfig());
    config.setCurrentContext('lab-central');
    custom = config.makeApiClient(k8s.CustomObjectsApi);
    apps = config.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await lab?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const batchOf = (reports: string, suite: string): { dir: string; batch: Batch; junit: string } => {
    const folder = readdirSync(path.join(cwd, reports)).find((name) => name.endsWith(`-${suite}`));
    expect(folder, `a combined folder for ${suite}`).to.be.a('string');
    const dir = path.join(cwd, reports, folder!);
    return {
      dir,
      batch: JSON.parse(readFileSync(path.join(dir, 'batch.json'), 'utf8')) as Batch,
      junit: readFileSync(path.join(dir, 'junit.xml'), 'utf8'),
    };
  };

  const ourRoutes = async () => {
    const vs = (await custom.getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      plural: 'virtualservices',
      namespace: 'bank-of-anthos',
      name: 'frontend-ingress',
    })) as { spec: { http: Array<{ name?: string }> } };
    return vs.spec.http.filter((route) => route.name?.startsWith('chaos-')).length;
  };

  it('only the middle scenario fails: exit 1, all three ran with settle checks between them, one combined JUnit naming the failure', async () => {
    const result = await runChaosAsync(['run', suiteFile, '--reports', 'reports'], { cwd, timeoutMs: 300_000 });
    const out = result.stdout + result.stderr;
    expect(result.code, out).to.equal(ExitCode.budgetsBreached);
    expect(out.match(/settle check before \S+: settled after/g), out).to.have.length(2);
    expect(out).to.include('suite middle-fails: 2 of 3 passed, 0 not run, exit 1');
    expect(out, 'plain text when not on a terminal').not.to.match(/\x1b\[/);
    const { batch, junit, dir } = batchOf('reports', 'middle-fails');
    expect(batch.runs.map((run) => [run.scenario, run.exitCode])).to.deep.equal([
      ['quiet-delay', 0],
      ['front-door-errors', 1],
      ['quiet-delay', 0],
    ]);
    expect(batch.exitCode).to.equal(ExitCode.budgetsBreached);
    expect(junit.match(/<testsuite /g)).to.have.length(3);
    expect(junit).to.match(/<testsuites name="chaos" tests="\d+" failures="[1-9]\d*" errors="0"/);
    expect(junit).to.match(/<testsuite name="front-door-errors"[^>]* failures="[1-9]/);
    expect([...junit.matchAll(/<testsuite name="quiet-delay"[^>]* failures="(\d+)"/g)].map((m) => m[1])).to.deep.equal([
      '0',
      '0',
    ]);
    expect(readFileSync(path.join(dir, 'summary.md'), 'utf8')).to.include('2 of 3 scenarios passed');
    // The per-entry override took effect on the third run only.
    const third = JSON.parse(
      readFileSync(path.join(cwd, 'reports', batch.runs[2]!.folder!, 'result.json'), 'utf8'),
    ) as { scenario: { phases: Array<{ name: string; durationMs: number }> } };
    expect(third.scenario.phases.find((p) => p.name === 'recovery')!.durationMs).to.equal(2000);
    expect(await ourRoutes()).to.equal(0);
  });

  it('--fail-fast stops after the failed middle scenario; the third is listed as not run', async () => {
    const result = await runChaosAsync(['run', suiteFile, '--fail-fast', '--quiet', '--reports', 'reports-ff'], {
      cwd,
      timeoutMs: 300_000,
    });
    const out = result.stdout + result.stderr;
    expect(result.code, out).to.equal(ExitCode.budgetsBreached);
    expect(out).to.include('skip  quiet-delay  (not run: --fail-fast after front-door-errors failed (exit 1))');
    const { batch, junit } = batchOf('reports-ff', 'middle-fails');
    expect(batch.runs.map((run) => run.scenario)).to.deep.equal(['quiet-delay', 'front-door-errors']);
    expect(junit.match(/<testsuite /g)).to.have.length(2);
  });

  it('chaos run nightly runs every shipped scenario in order, settles between them, and its exit code combines all of theirs', async () => {
    const result = await runChaosAsync(
      [
        'run',
        'nightly',
        '--phase',
        'baseline=3s',
        '--phase',
        'fault=6s',
        '--phase',
        'recovery=4s',
        '--reports',
        'reports-nightly',
        // Every run judged both ways (issue 25): its compact record and k6's own per-request output.
        '--raw-samples',
      ],
      { cwd, timeoutMs: 880_000 },
    );
    const out = result.stdout + result.stderr;
    const { batch, junit } = batchOf('reports-nightly', 'nightly');
    const shipped = listYamlFiles([path.join(packageRoot, 'scenarios')]).map((file) =>
      path.basename(file).replace(/\.ya?ml$/, ''),
    );
    // In order: the order the suite file lists (read here, not from what the CLI wrote).
    const listed = (
      parse(readFileSync(path.join(packageRoot, 'suites/nightly.yaml'), 'utf8')) as { scenarios: string[] }
    ).scenarios;
    expect(
      batch.runs.map((run) => run.scenario),
      out,
    ).to.deep.equal(listed);
    expect([...listed].sort(), 'the nightly suite lists every shipped scenario').to.deep.equal([...shipped].sort());
    expect(
      batch.runs.every((run) => run.folder !== null && run.error === undefined),
      out,
    ).to.equal(true);
    // Settles between them: a settle check before every scenario but the first, in suite order,
    // each after the previous scenario's result line and before the next one's.
    const settles = [...out.matchAll(/settle check before (\S+): settled after/g)];
    expect(
      settles.map((m) => m[1]),
      out,
    ).to.deep.equal(listed.slice(1));
    const resultLines = [...out.matchAll(/^results: .*$/gm)].map((m) => m.index);
    expect(resultLines, out).to.have.length(listed.length);
    settles.forEach((settle, index) => {
      expect(settle.index).to.be.greaterThan(resultLines[index]!);
      expect(settle.index).to.be.lessThan(resultLines[index + 1]!);
    });
    // The exit code, from the rule (README: 130, else 3, else 1, else 5, else 4, else 0) applied to
    // each scenario's own verdicts and expectation as its result.json and scenario file give them:
    // a failure (or no data) is 1; with none, an inconclusive verdict (too few samples for these
    // short phases, docs/verdicts.md) is 4; a negative control is 0 only when its baseline's
    // verdicts all passed and a fault-phase verdict failed, else invalid (5).
    const expectedCodes: number[] = batch.runs.map((run) => {
      const scenario = parse(readFileSync(path.join(packageRoot, 'scenarios', `${run.scenario}.yaml`), 'utf8')) as {
        expect?: string;
      };
      const result = JSON.parse(
        readFileSync(path.join(cwd, 'reports-nightly', run.folder!, 'result.json'), 'utf8'),
      ) as {
        verdicts: Array<{ phase: string; outcome: string }>;
      };
      const outcomes = result.verdicts.map((v) => v.outcome);
      if (scenario.expect === 'fail') {
        const baseline = result.verdicts.filter((v) => v.phase === 'baseline');
        const proven =
          baseline.length > 0 &&
          baseline.every((v) => v.outcome === 'pass') &&
          result.verdicts.some((v) => v.phase === 'fault' && v.outcome === 'fail');
        return proven ? ExitCode.passed : ExitCode.invalid;
      }
      if (outcomes.some((o) => o === 'fail' || o === 'no-data')) return ExitCode.budgetsBreached;
      return outcomes.includes('inconclusive') ? ExitCode.inconclusive : ExitCode.passed;
    });
    // Every verdict of every shipped scenario is the same judged from k6's own per-request output
    // (k6-samples.json) as from the compact record the run used.
    for (const run of batch.runs) {
      const { rawAudit, verdicts } = JSON.parse(
        readFileSync(path.join(cwd, 'reports-nightly', run.folder!, 'result.json'), 'utf8'),
      ) as { rawAudit?: { verdicts: number; differing: unknown[] }; verdicts: unknown[] };
      expect(rawAudit, run.scenario).to.not.equal(undefined);
      expect(rawAudit!.verdicts, run.scenario).to.be.greaterThan(0).and.at.most(verdicts.length);
      expect(rawAudit!.differing, `${run.scenario}: ${JSON.stringify(rawAudit!.differing)}`).to.deep.equal([]);
    }
    const combined = [130, 3, 1, 5, 4].find((code) => expectedCodes.includes(code)) ?? 0;
    expect(result.code, out).to.equal(combined);
    expect(batch.exitCode).to.equal(combined);
    expect(junit.match(/<testsuite /g)).to.have.length(shipped.length);
    const frontend = await apps.readNamespacedDeployment({ name: 'frontend', namespace: 'bank-of-anthos' });
    expect(frontend.spec?.replicas).to.equal(2);
    expect(await ourRoutes()).to.equal(0);
  });
});
