/**
 * Reports that keep: raw data gzipped and read back the same, reports re-rendered byte-identical
 * after compression, `chaos report --prune --keep N` leaving N runs and an index that still lists
 * every pruned run's summary line.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chooseRunsToPrune, compressRawFiles, readRunFile } from '../../src/report/keep-reports.js';
import { runChaos } from '../support/cli.js';
import { fixtureReports, fixtureRuns } from './report-fixtures.js';

const reportFiles = ['junit.xml', 'report.html', 'summary.md'];

describe('reports that keep', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-keep-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses the runs beyond the newest N, and those older than the age', () => {
    const runs = ['20260101T000000Z-a', '20260102T000000Z-b', '20260103T000000Z-a', '20260104T000000Z-c'].map(
      (folder) => ({
        folder,
        startedAt: `${folder.slice(0, 4)}-${folder.slice(4, 6)}-${folder.slice(6, 8)}T00:00:00.000Z`,
      }),
    );
    expect(chooseRunsToPrune(runs, { keep: 3, now: 0 })).to.deep.equal(['20260101T000000Z-a']);
    const now = Date.parse('2026-01-04T12:00:00Z');
    expect(chooseRunsToPrune(runs, { maxAgeMs: 2 * 86_400_000, now })).to.deep.equal([
      '20260101T000000Z-a',
      '20260102T000000Z-b',
    ]);
    expect(chooseRunsToPrune(runs, { keep: 10, maxAgeMs: 10 * 86_400_000, now })).to.deep.equal([]);
  });

  it('gzips k6-samples.json (read back the same) and chaos report still renders the same bytes', () => {
    const run = path.join(dir, fixtureRuns.failed);
    cpSync(path.join(fixtureReports, fixtureRuns.failed), run, { recursive: true });
    // The fixture keeps k6's raw output gzipped; a fresh run folder has it plain.
    const raw = gunzipSync(readFileSync(path.join(run, 'k6-samples.json.gz')));
    rmSync(path.join(run, 'k6-samples.json.gz'));
    writeFileSync(path.join(run, 'k6-samples.json'), raw);
    expect(runChaos(['report', run]).code).to.equal(0);
    const before = Object.fromEntries(reportFiles.map((f) => [f, readFileSync(path.join(run, f))]));
    return compressRawFiles(run).then(async (done) => {
      expect(done.map((d) => d.file)).to.deep.equal(['k6-samples.json']);
      expect(done[0]!.before).to.equal(raw.length);
      expect(done[0]!.after).to.be.lessThan(raw.length / 4);
      expect(existsSync(path.join(run, 'k6-samples.json'))).to.equal(false);
      expect(readRunFile(run, 'k6-samples.json').equals(raw)).to.equal(true);
      expect(readFileSync(path.join(run, 'result.json'), 'utf8')).to.match(/^\{/);
      expect(runChaos(['report', run]).code).to.equal(0);
      for (const file of reportFiles)
        expect(readFileSync(path.join(run, file)).equals(before[file]!), `${file} re-rendered byte-identical`).to.equal(
          true,
        );
    });
  });

  it("--prune --keep 3 leaves the newest three runs, and the index keeps every pruned run's line", () => {
    const reports = path.join(dir, 'reports');
    cpSync(fixtureReports, reports, { recursive: true });
    // Two more (older) copies of a run, so there are five runs and a batch.
    for (const stamp of ['20261129T000000Z', '20261129T010000Z']) {
      const copy = path.join(reports, `${stamp}-frontend-zero`);
      cpSync(path.join(reports, fixtureRuns.passed), copy, { recursive: true });
    }
    // A run that left a journal but no result: chaos recover may still need it; never pruned.
    const dead = path.join(reports, '20261128T000000Z-frontend-zero');
    cpSync(path.join(reports, fixtureRuns.passed), dead, { recursive: true });
    renameSync(path.join(dead, 'result.json'), path.join(dead, 'result.json.bak'));
    const { code, stdout, stderr } = runChaos(['report', '--prune', '--keep', '3', '--reports', reports]);
    expect(code, stderr).to.equal(0);
    expect(stdout.split('\n').filter((l) => l.startsWith('pruned '))).to.have.length(2);
    const runs = readdirSync(reports).filter((f) => existsSync(path.join(reports, f, 'result.json')));
    expect(runs.sort()).to.deep.equal(Object.values(fixtureRuns).sort());
    expect(existsSync(dead), 'a run without a result is left for chaos recover').to.equal(true);
    const index = JSON.parse(readFileSync(path.join(reports, 'index.json'), 'utf8')) as {
      runs: Array<{ folder: string; pruned?: boolean; status: string; scenario: string }>;
    };
    expect(index.runs.map((r) => r.folder)).to.have.length(5);
    expect(index.runs.filter((r) => r.pruned).map((r) => r.folder)).to.deep.equal([
      '20261129T010000Z-frontend-zero',
      '20261129T000000Z-frontend-zero',
    ]);
    expect(index.runs.find((r) => r.pruned)).to.include({ status: 'passed', scenario: 'frontend-zero' });
    expect(readFileSync(path.join(reports, 'index.html'), 'utf8')).to.include('(pruned)');
    // Pruning again keeps the lines already kept.
    expect(runChaos(['report', '--prune', '--keep', '2', '--reports', reports]).code).to.equal(0);
    const again = JSON.parse(readFileSync(path.join(reports, 'index.json'), 'utf8')) as typeof index;
    expect(again.runs).to.have.length(5);
    expect(again.runs.filter((r) => r.pruned)).to.have.length(3);
  });

  it('--prune without --keep or --max-age, or with a bad value, is bad input and prunes nothing', () => {
    const reports = path.join(dir, 'reports');
    cpSync(fixtureReports, reports, { recursive: true });
    for (const args of [[], ['--keep', '0'], ['--max-age', 'soon']]) {
      const { code, stderr } = runChaos(['report', '--prune', ...args, '--reports', reports]);
      expect(code, stderr).to.equal(2);
    }
    expect(readdirSync(reports).sort()).to.deep.equal(readdirSync(fixtureReports).sort());
  });
});
