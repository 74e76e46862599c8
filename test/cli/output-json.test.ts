/**
 * `--output json`, command by command, success and failure: stdout is one document that
 * validates against its committed JSON Schema (schema/output/<name>.schema.json, generated from
 * the zod schemas; UPDATE_GOLDEN=1 regenerates), with the same exit code as text output.
 * Validation uses the JSON Schema files themselves (z.fromJSONSchema), not the zod source.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { exportOutputSchema, outputSchemas, type OutputName } from '../../src/report/output-schemas.js';
import { projectRoot, runChaos, runChaosAsync, type CliResult } from '../support/cli.js';
import { writeLabState, type RunningLab } from '../../src/lab/index.js';
import { startTestLab } from '../lab/lab-test-kit.js';
import { fixtureReports, fixtureRuns, updating } from '../report/report-fixtures.js';

const schemaDir = path.join(projectRoot, 'schema/output');
const names = Object.keys(outputSchemas) as OutputName[];

function validator(name: OutputName): z.ZodType {
  return z.fromJSONSchema(JSON.parse(readFileSync(path.join(schemaDir, `${name}.schema.json`), 'utf8')));
}

/** stdout parsed and checked against the schema; returns the document for further assertions. */
function documentOf(result: CliResult, name: OutputName): Record<string, unknown> {
  let parsed: unknown;
  expect(
    () => (parsed = JSON.parse(result.stdout)),
    `stdout is JSON: ${result.stdout}\n${result.stderr}`,
  ).not.to.throw();
  const checked = validator(name).safeParse(parsed);
  expect(checked.success, `matches schema/output/${name}.schema.json: ${checked.error?.message}`).to.equal(true);
  return parsed as Record<string, unknown>;
}

function expectError(result: CliResult, exitCode: number): Record<string, unknown> {
  expect(result.code, result.stderr).to.equal(exitCode);
  const document = documentOf(result, 'error');
  expect((document.error as { exitCode: number }).exitCode).to.equal(exitCode);
  return document;
}

describe('--output json: one versioned document per command, errors included', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-json-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const name of names) {
    it(`schema/output/${name}.schema.json is generated from its zod schema`, () => {
      const file = path.join(schemaDir, `${name}.schema.json`);
      const generated = `${JSON.stringify(exportOutputSchema(name), null, 2)}\n`;
      if (updating) {
        mkdirSync(schemaDir, { recursive: true });
        writeFileSync(file, generated);
      }
      expect(readFileSync(file, 'utf8'), 'regenerate with UPDATE_GOLDEN=1').to.equal(generated);
    });
  }

  it('the schemas refuse a document with a field they do not describe, or without schemaVersion', () => {
    const list = { schemaVersion: 1, scenarios: [], suites: [] };
    expect(validator('list').safeParse(list).success).to.equal(true);
    expect(validator('list').safeParse({ ...list, extra: 1 }).success).to.equal(false);
    expect(validator('list').safeParse({ scenarios: [], suites: [] }).success).to.equal(false);
  });

  it('an unknown --output format is refused with the invalid-input code', () => {
    const result = runChaos(['list', '--output', 'yaml']);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include("'yaml' is invalid").and.to.include('text, json');
  });

  it('list: every scenario and suite; a parse error of the command line is an error document', () => {
    const document = documentOf(runChaos(['list', '--output', 'json']), 'list') as {
      scenarios: Array<{ name: string; valid: boolean; expect: string }>;
      suites: Array<{ name: string; scenarios: string[] }>;
    };
    expect(document.scenarios.find((row) => row.name === 'ledger-db-zero')).to.include({ valid: true, expect: 'fail' });
    expect(document.suites.map((suite) => suite.name)).to.include('nightly');
    expectError(runChaos(['list', '--output', 'json', '--no-such-option']), ExitCode.invalidInput);
  });

  it('list: an invalid scenario keeps its fields and says why, with located issues', () => {
    const cwd = path.join(tmp, 'list');
    mkdirSync(path.join(cwd, 'scenarios'), { recursive: true });
    writeFileSync(path.join(cwd, 'scenarios/broken.yaml'), 'version: 1\nname: broken\nload: *nope\n');
    const document = documentOf(runChaos(['list', '--output', 'json'], { cwd }), 'list') as {
      scenarios: Array<{ name: string; valid: boolean; issues: Array<{ line: number }> }>;
    };
    const broken = document.scenarios.find((row) => row.name === 'broken');
    expect(broken).to.include({ valid: false });
    expect(broken!.issues.map((issue) => issue.line)).to.deep.equal([3]);
  });

  it('validate: the files checked, each with its kind; an invalid file gives every located issue, exit 2', () => {
    const ok = documentOf(
      runChaos(['validate', 'nightly', 'frontend-zero', 'environments/bank-of-anthos-gke.yaml', '--output', 'json']),
      'validate',
    ) as { files: Array<{ kind: string }> };
    expect(ok.files.map((file) => file.kind)).to.deep.equal(['suite', 'scenario', 'environment']);
    const file = path.join(tmp, 'typo.yaml');
    writeFileSync(
      file,
      'name: typo\ndescription: a typo\nload:\n  rate: 5\n  pathz: [/]\nbudgets: { all: { http_req_failed: rate<0.5 } }\n',
    );
    const bad = expectError(runChaos(['validate', file, '--output', 'json']), ExitCode.invalidInput);
    const [issue, ...others] = bad.issues as Array<Record<string, unknown>>;
    expect(others).to.deep.equal([]);
    expect(issue).to.include({ file, line: 5, column: 3, path: 'load.pathz', hint: 'did you mean `paths`?' });
    expect(issue!.message).to.match(/^unknown field "pathz"/);
  });

  it('plan: one plan for a scenario, one per scenario for a suite; an unknown name is an error document', function () {
    // Three CLI processes, each reading scenario scripts with the TypeScript parser: slow on a busy machine.
    this.timeout(120_000);
    const one = documentOf(runChaos(['plan', '--output', 'json', '--phase', 'fault=20s', 'frontend-zero']), 'plan') as {
      plans: Array<{ phases: Array<{ name: string; durationMs: number }> }>;
    };
    expect(one.plans).to.have.length(1);
    expect(one.plans[0]!.phases.find((phase) => phase.name === 'fault')!.durationMs).to.equal(20_000);
    const suite = documentOf(runChaos(['plan', 'nightly', '--output', 'json']), 'plan') as {
      suite: string;
      plans: Array<{ scenario: { name: string } }>;
    };
    const nightly = readFileSync(path.join(projectRoot, 'suites/nightly.yaml'), 'utf8');
    const listed = [...nightly.matchAll(/^ {2}- (\S+)$/gm)].map((match) => match[1]);
    expect(suite.suite).to.equal('nightly');
    expect(suite.plans.map((plan) => plan.scenario.name)).to.deep.equal(listed);
    expectError(runChaos(['plan', 'no-such-scenario', '--output', 'json']), ExitCode.invalidInput);
  });

  describe('run, against a running lab on free ports (so a `chaos lab up` elsewhere does not matter)', function () {
    this.timeout(300_000);
    let lab: RunningLab;
    let cwd: string;
    const short = ['--phase', 'baseline=2s', '--phase', 'fault=2s', '--phase', 'recovery=2s'];
    before(async () => {
      ({ lab } = await startTestLab());
      cwd = mkdtempSync(path.join(tmp, 'run-'));
      await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    });
    after(async () => {
      await lab?.stop();
    });
    // This process serves the lab: the CLI runs without blocking it.
    const run = (args: string[]) =>
      runChaosAsync(['run', ...args, '--output', 'json', '--reports', 'reports'], { cwd, timeoutMs: 240_000 });

    it('one scenario: its result document (budgets judged, so exit 0, 1 or 4: short phases may be inconclusive)', async () => {
      const result = await run(['istio-delay', ...short]);
      expect([ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive], result.stderr).to.include(result.code);
      const document = documentOf(result, 'run') as { scenario: { name: string } };
      expect(document.scenario.name).to.equal('istio-delay');
    });

    it('several scenarios: a batch document with every result', async () => {
      const result = await run(['istio-delay', 'istio-abort', ...short]);
      expect([ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive], result.stderr).to.include(result.code);
      const document = documentOf(result, 'run') as { kind: string; results: Array<{ scenario: { name: string } }> };
      expect(document.kind).to.equal('batch');
      expect(document.results.map((r) => r.scenario.name)).to.deep.equal(['istio-delay', 'istio-abort']);
    });

    it('a suite: a suite document naming every scenario run', async () => {
      const suite = path.join(cwd, 'two.yaml');
      writeFileSync(
        suite,
        'version: 1\nname: two\ndescription: two short ones\nsettle: { timeout: 60s, probeRequests: 5 }\nscenarios:\n  - istio-delay\n  - istio-abort\n',
      );
      const result = await run([suite, ...short]);
      expect([ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive], result.stderr).to.include(result.code);
      const document = documentOf(result, 'run') as { kind: string; suite: string; runs: Array<{ scenario: string }> };
      expect(document).to.include({ kind: 'suite', suite: 'two' });
      expect(document.runs.map((r) => r.scenario)).to.deep.equal(['istio-delay', 'istio-abort']);
    });

    it('lab status and recover see the running lab: its clusters, and nothing left behind by the runs', async () => {
      const status = documentOf(await runChaosAsync(['lab', 'status', '--output', 'json'], { cwd }), 'lab-status') as {
        running: boolean;
        clusters: Array<{ name: string }>;
      };
      expect(status.running).to.equal(true);
      expect(status.clusters.map((cluster) => cluster.name)).to.deep.equal(lab.clusters.map((c) => c.name));
      const recovered = await runChaosAsync(['recover', '--output', 'json', '--reports', 'reports'], {
        cwd,
        timeoutMs: 120_000,
      });
      expect(recovered.code, recovered.stderr).to.equal(ExitCode.passed);
      expect(documentOf(recovered, 'recover')).to.deep.include({ labRunning: true, leftovers: [] });
    });
  });

  it('run: a refused run is an error document with the invalid-input code', () => {
    const result = expectError(
      runChaos(['run', 'frontend-zero', '--phase', 'nope=1s', '--output', 'json', '--reports', tmp]),
      ExitCode.invalidInput,
    );
    expect((result.error as { message: string }).message).to.include('nope');
  });

  it('report: the files written; without a folder, an error document', () => {
    const reports = path.join(tmp, 'reports');
    const folder = fixtureRuns.passed;
    cpSync(path.join(fixtureReports, folder), path.join(reports, folder), { recursive: true });
    const document = documentOf(
      runChaos(['report', path.join(reports, folder), '--output', 'json'], { cwd: tmp }),
      'report',
    ) as { written: string[] };
    expect(document.written).to.include(path.join('reports', folder, 'junit.xml'));
    expectError(runChaos(['report', '--output', 'json'], { cwd: tmp }), ExitCode.invalidInput);
  });

  it('recover: with no lab running, nothing left and labRunning false; an unknown environment is an error document', () => {
    const cwd = mkdtempSync(path.join(tmp, 'recover-'));
    const document = documentOf(runChaos(['recover', '--output', 'json'], { cwd }), 'recover');
    expect(document).to.include({ environment: 'lab', labRunning: false, dryRun: false });
    expectError(runChaos(['recover', '--env', 'no-such-env', '--output', 'json'], { cwd }), ExitCode.invalidInput);
  });

  it('lab status: not running in an empty folder; a bad option is an error document', () => {
    const cwd = mkdtempSync(path.join(tmp, 'lab-'));
    const document = documentOf(runChaos(['lab', 'status', '--output', 'json'], { cwd }), 'lab-status');
    expect(document).to.include({ running: false, pid: null });
    expectError(runChaos(['lab', 'status', '--output', 'json', '--bogus'], { cwd }), ExitCode.invalidInput);
  });
});
