/**
 * `chaos report` (the built CLI) re-renders a run's reports from its journal and result.json:
 * the same bytes every time, the same JUnit and Markdown as the golden files, `--last` finds
 * the newest folder, a batch folder re-renders the batch, and the index is rebuilt.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { runChaos } from '../support/cli.js';
import { fixtureBatch, fixtureReports, fixtureRuns, goldenDir } from './report-fixtures.js';

const reportFileNames = ['junit.xml', 'report.html', 'summary.md'];

describe('chaos report: re-render from the run folder', function () {
  this.timeout(60_000);
  let work: string;
  let reports: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'chaos-report-'));
    reports = path.join(work, 'reports');
    cpSync(fixtureReports, reports, { recursive: true });
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const snapshot = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((name) => !name.startsWith('.'))
        .sort()
        .map((name) => [name, readFileSync(path.join(dir, name)).toString('base64')]),
    );

  it('a run folder: junit.xml, report.html, summary.md and the index, byte-identical when rendered again', () => {
    const runDir = path.join(reports, fixtureRuns.failed);
    const first = runChaos(['report', runDir], { cwd: work });
    expect(first.code, first.stdout + first.stderr).to.equal(ExitCode.passed);
    expect(first.stdout.trim().split('\n')).to.deep.equal([
      ...reportFileNames.map((name) => `reports/${fixtureRuns.failed}/${name}`),
      'reports/index.json',
      'reports/index.html',
    ]);
    const before = snapshot(runDir);
    const indexBefore = readFileSync(path.join(reports, 'index.json'), 'utf8');
    expect(Object.keys(before)).to.include.members([...reportFileNames, 'result.json', 'journal.jsonl']);
    const second = runChaos(['report', runDir], { cwd: work });
    expect(second.code, second.stderr).to.equal(ExitCode.passed);
    expect(snapshot(runDir)).to.deep.equal(before);
    expect(readFileSync(path.join(reports, 'index.json'), 'utf8')).to.equal(indexBefore);
    // The CLI renders what the pure renderers render (HTML differs from its golden only by the inlined uPlot).
    expect(readFileSync(path.join(runDir, 'junit.xml'), 'utf8')).to.equal(
      readFileSync(path.join(goldenDir, 'failed/junit.xml'), 'utf8'),
    );
    expect(readFileSync(path.join(runDir, 'summary.md'), 'utf8')).to.equal(
      readFileSync(path.join(goldenDir, 'failed/summary.md'), 'utf8'),
    );
    expect(indexBefore).to.equal(readFileSync(path.join(goldenDir, 'index/index.json'), 'utf8'));
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    // Self-contained: uPlot inlined, nothing loaded from anywhere (Chromium checks it too, offline).
    expect(html)
      .to.include('var uPlot=')
      .and.include("default-src 'none'")
      .and.not.match(/<script[^>]+src=|<link\b|<img\b|<iframe\b|url\(\s*['"]?https?:|@import|href="https?:/i);
  });

  it('--last takes the newest folder (here a batch): the batch and its runs are re-rendered', () => {
    const result = runChaos(['report', '--last', '--reports', 'reports'], { cwd: work });
    expect(result.code, result.stdout + result.stderr).to.equal(ExitCode.passed);
    const written = result.stdout.trim().split('\n');
    expect(written)
      .to.include(`reports/${fixtureBatch}/junit.xml`)
      .and.include(`reports/${fixtureBatch}/summary.md`)
      .and.include(`reports/${fixtureRuns.passed}/report.html`)
      .and.include(`reports/${fixtureRuns['negative-control']}/report.html`)
      .and.not.include(`reports/${fixtureRuns.failed}/report.html`);
    expect(readFileSync(path.join(reports, fixtureBatch, 'junit.xml'), 'utf8')).to.equal(
      readFileSync(path.join(goldenDir, 'batch/junit.xml'), 'utf8'),
    );
    expect(readFileSync(path.join(reports, fixtureBatch, 'summary.md'), 'utf8')).to.equal(
      readFileSync(path.join(goldenDir, 'batch/summary.md'), 'utf8'),
    );
  });

  it('refuses, with the invalid-input code, no folder, a folder that is not a run, a damaged result and an empty reports folder', () => {
    const none = runChaos(['report'], { cwd: work });
    expect(none.code).to.equal(ExitCode.invalidInput);
    expect(none.stderr).to.include('give a run folder or --last');
    mkdirSync(path.join(work, 'not-a-run'));
    const notRun = runChaos(['report', 'not-a-run'], { cwd: work });
    expect(notRun.code).to.equal(ExitCode.invalidInput);
    expect(notRun.stderr).to.include('is not a run or batch folder');
    writeFileSync(path.join(reports, fixtureRuns.passed, 'result.json'), '{"schemaVersion": 1, "runId": 5}');
    const damaged = runChaos(['report', path.join('reports', fixtureRuns.passed)], { cwd: work });
    expect(damaged.code).to.equal(ExitCode.invalidInput);
    expect(damaged.stderr).to.match(/does not match the result format v1: .*runId/);
    const empty = runChaos(['report', '--last', '--reports', 'nowhere'], { cwd: work });
    expect(empty.code).to.equal(ExitCode.invalidInput);
    expect(empty.stderr).to.include('no run folder');
  });
});
