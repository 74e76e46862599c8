/**
 * Every outcome of time to impact and to recover is shown everywhere (issue 26, item 9): the HTML
 * report, summary.md and the reports index say "never recovered", "not impacted", "not measured",
 * "recovered during the fault", never "n/a" or nothing.
 */
import { expect } from 'chai';
import path from 'node:path';
import { readRunReport } from '../../src/report/read-reports.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderSummary } from '../../src/report/render-summary.js';
import { summarizeRun } from '../../src/report/run-index.js';
import type { RunReport } from '../../src/report/report-input.js';
import type { RunResult } from '../../src/report/result-schema.js';
import { fixtureReports, fixtureRuns, stubAssets } from './report-fixtures.js';

type Timing = RunResult['timings'][number];
const base = { baseline: { failureShare: 0, p99Ms: 40 }, impactDurationMs: null };
const timings: Timing[] = [
  {
    ingress: 'central',
    timeToImpactMs: 1200,
    timeToRecoverMs: null,
    impact: 'measured',
    recovery: 'never-recovered',
    ...base,
  },
  {
    ingress: 'west',
    timeToImpactMs: null,
    timeToRecoverMs: null,
    impact: 'not-impacted',
    recovery: 'not-impacted',
    ...base,
  },
  {
    ingress: 'east',
    timeToImpactMs: -200,
    timeToRecoverMs: 300,
    impactDurationMs: 500,
    impact: 'measured',
    recovery: 'recovered-during-fault',
    baseline: null,
  },
  {
    ingress: 'north',
    timeToImpactMs: null,
    timeToRecoverMs: null,
    impact: 'not-measured',
    recovery: 'not-measured',
    ...base,
  },
];

describe('time to impact and to recover: every outcome in words', () => {
  let report: RunReport;
  before(async () => {
    const read = await readRunReport(path.join(fixtureReports, fixtureRuns.passed));
    report = { ...read, result: { ...read.result, timings } };
  });

  it('report.html and summary.md name each outcome', () => {
    for (const text of [renderHtml(report, stubAssets), renderSummary(report)]) {
      expect(text).to.include('never recovered');
      expect(text).to.include('not impacted');
      expect(text).to.include('not measured');
      expect(text).to.include('recovered during the fault, 0.3 s after it began; impact lasted 0.5 s');
      expect(text).not.to.match(/to recover n\/a|time to impact none seen/);
    }
  });

  it("the reports index keeps the worst ingress's outcome: never recovered beats any time", () => {
    const row = summarizeRun('folder', report.result);
    expect(row.recovery).to.equal('never recovered');
    expect(row.impact).to.equal('1.2 s');
    const healed = summarizeRun('folder', { ...report.result, timings: [timings[2]!, timings[1]!] });
    expect(healed.recovery).to.equal('recovered during the fault, 0.3 s after it began; impact lasted 0.5 s');
    expect(summarizeRun('folder', { ...report.result, timings: [timings[3]!] }).recovery).to.equal('not measured');
  });
});
