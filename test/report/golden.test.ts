/**
 * Renderers are pure functions of a run's journal and result: from the frozen reports folder
 * they give exactly the golden files, twice in a row, without touching their (frozen) input.
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx mocha test/report/golden.test.ts
 */
import { expect } from 'chai';
import path from 'node:path';
import { readBatchReport, readIndexInput, readRunReport } from '../../src/report/read-reports.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderIndexHtml } from '../../src/report/render-index.js';
import { renderJunit } from '../../src/report/render-junit.js';
import { renderBatchSummary, renderSummary } from '../../src/report/render-summary.js';
import type { RunReport } from '../../src/report/report-input.js';
import { buildRunIndex } from '../../src/report/run-index.js';
import { deepFreeze, expectGolden, fixtureBatch, fixtureReports, fixtureRuns, stubAssets } from './report-fixtures.js';

describe('report renderers: golden files from a frozen run folder', function () {
  this.timeout(20_000);

  for (const [label, folder] of Object.entries(fixtureRuns)) {
    describe(`the ${label} run (${folder})`, () => {
      let report: RunReport;
      before(async () => {
        report = deepFreeze(await readRunReport(path.join(fixtureReports, folder)));
      });

      it('junit.xml matches its golden file', () =>
        expectGolden(`${label}/junit.xml`, renderJunit([{ kind: 'run', report }])));
      it('summary.md matches its golden file', () => expectGolden(`${label}/summary.md`, renderSummary(report)));
      it('report.html matches its golden file', () =>
        expectGolden(`${label}/report.html`, renderHtml(report, stubAssets)));

      it('rendering twice gives the same bytes, and the frozen input is untouched', () => {
        expect(renderJunit([{ kind: 'run', report }])).to.equal(renderJunit([{ kind: 'run', report }]));
        expect(renderSummary(report)).to.equal(renderSummary(report));
        expect(renderHtml(report, stubAssets)).to.equal(renderHtml(report, stubAssets));
      });
    });
  }

  it('the batch: combined junit.xml and summary.md match their golden files', async () => {
    const batch = deepFreeze(await readBatchReport(path.join(fixtureReports, fixtureBatch)));
    expect(batch.items.map((item) => item.kind)).to.deep.equal(['run', 'run']);
    expectGolden('batch/junit.xml', renderJunit(batch.items));
    expectGolden('batch/summary.md', renderBatchSummary(batch));
  });

  it('the index: index.json and index.html match their golden files', async () => {
    const index = buildRunIndex(deepFreeze(await readIndexInput(fixtureReports)));
    expect(index.runs.map((run) => run.folder)).to.deep.equal([
      fixtureRuns['negative-control'],
      fixtureRuns.passed,
      fixtureRuns.failed,
    ]);
    expect(index.scenarios.find((s) => s.name === 'frontend-zero')?.points.map((p) => p.status)).to.deep.equal([
      'failed',
      'passed',
    ]);
    expect(index.unreadable).to.deep.equal([]);
    expectGolden('index/index.json', `${JSON.stringify(index, null, 2)}\n`);
    expectGolden('index/index.html', renderIndexHtml(index, stubAssets));
  });
});
