/**
 * `--log-format json` on every command: each line on stdout and stderr is one JSON object; a run's
 * events are printed with the journal's fields (every journal entry appears as it is on disk).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { fixtureReports, fixtureRuns } from '../report/report-fixtures.js';
import { runChaos, runChaosAsync } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';

const objectsOf = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as unknown;
      expect(parsed, line).to.be.an('object');
      return parsed as Record<string, unknown>;
    });

describe('--log-format json', function () {
  this.timeout(200_000);

  for (const args of [
    ['list'],
    ['validate', 'frontend-zero'],
    ['plan', 'frontend-zero'],
    ['schema', 'scenario'],
    ['--log-format', 'json', 'lab', 'status'],
  ])
    it(`chaos ${args.join(' ')}: every line is one JSON object`, () => {
      const { code, stdout, stderr } = runChaos(args[0] === '--log-format' ? args : [...args, '--log-format', 'json']);
      expect(code, stderr).to.be.oneOf([0, 3]);
      const lines = [...objectsOf(stdout), ...objectsOf(stderr)];
      expect(lines.length).to.be.greaterThan(0);
    });

  it('an error is one event on stderr, level error, its hint included; the exit code is unchanged', () => {
    const { code, stdout, stderr } = runChaos(['validate', 'no-such-scenario', '--log-format=json']);
    expect(code).to.equal(ExitCode.invalidInput);
    expect(stdout).to.equal('');
    const [event, ...rest] = objectsOf(stderr);
    expect(rest).to.deep.equal([]);
    expect(event).to.include({ type: 'log', level: 'error' });
    expect(event!.message).to.match(/unknown scenario "no-such-scenario"[\s\S]*hint: known scenarios/);
    expect(event!.atMs).to.be.a('number');
  });

  it('chaos report re-renders a fixture copy with JSON lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-jsonlog-'));
    try {
      for (const file of ['result.json', 'journal.jsonl'])
        writeFileSync(path.join(dir, file), readFileSync(path.join(fixtureReports, fixtureRuns.passed, file)));
      const { code, stdout } = runChaos(['report', dir, '--log-format', 'json']);
      expect(code).to.equal(0);
      expect(objectsOf(stdout).map((line) => line.message)).to.include(
        path.relative(process.cwd(), path.join(dir, 'report.html')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a run on the lab (real k6)', () => {
    let dir: string;
    let lab: LabProcess;
    before(async function () {
      this.timeout(180_000);
      dir = mkdtempSync(path.join(tmpdir(), 'chaos-jsonlog-run-'));
      lab = await startLabProcess();
    });
    after(async () => {
      await lab?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('prints every journal entry as written, the windows, and the verdict as log lines', async () => {
      const file = path.join(dir, 'short.yaml');
      writeFileSync(
        file,
        `name: json-logs
description: a short run printed as JSON lines
environment: lab
load: { rate: 10, paths: [/], timeout: 5s }
phases: { baseline: 2s, fault: 3s, recovery: 2s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 50 }
budgets:
  baseline: { http_req_failed: rate<0.5 }
`,
      );
      const reports = path.join(dir, 'reports');
      const { code, stdout, stderr } = await runChaosAsync(
        ['run', file, '--reports', reports, '--log-format', 'json'],
        {
          timeoutMs: 120_000,
          env: lab.env,
        },
      );
      expect(code, stderr).to.equal(ExitCode.passed);
      const printed = objectsOf(stdout);
      const folder = printed.map((line) => /^results: (.*)\/$/.exec(String(line.message ?? ''))?.[1]).find(Boolean);
      expect(folder, stdout).to.be.a('string');
      const journal = objectsOf(readFileSync(path.join(reports, path.basename(folder!), 'journal.jsonl'), 'utf8'));
      expect(journal.length).to.be.greaterThan(5);
      const printedText = new Set(printed.map((line) => JSON.stringify(line)));
      for (const entry of journal) expect(printedText.has(JSON.stringify(entry)), JSON.stringify(entry)).to.equal(true);
      expect(printed.filter((line) => line.type === 'window').length).to.be.greaterThan(4);
      expect(printed.some((line) => line.type === 'log' && String(line.message).includes('PASSED'))).to.equal(true);
    });
  });
});
