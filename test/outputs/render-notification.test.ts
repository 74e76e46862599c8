/** The chat message is a pure function of results: harness errors before breached budgets, bounded, scrubbed. */
import { expect } from 'chai';
import path from 'node:path';
import { readResult } from '../../src/report/read-reports.js';
import { problemsOf, runNotification, suiteNotification } from '../../src/report/render-notification.js';
import type { RunResult } from '../../src/report/result-schema.js';
import { fixtureReports, fixtureRuns } from '../report/report-fixtures.js';

const load = (folder: string) => readResult(path.join(fixtureReports, folder, 'result.json'));

describe('chat messages of --notify', () => {
  let failed: RunResult;
  let passed: RunResult;
  before(async () => {
    failed = await load(fixtureRuns.failed);
    passed = await load(fixtureRuns.passed);
  });

  it('a failed run lists each breached budget; a passed run has no problems', () => {
    const breached = failed.verdicts.filter((v) => !v.pass).length;
    expect(breached).to.be.greaterThan(0);
    expect(problemsOf(failed)).to.have.length(breached);
    expect(problemsOf(passed)).to.deep.equal([]);
    expect(runNotification(failed, 'reports/x/').text).to.include('report: reports/x/');
  });

  it('a fault left applied comes before the budgets, with its secret scrubbed', () => {
    const broken: RunResult = structuredClone(failed);
    broken.faults.revertAll = {
      reverted: [],
      failures: [{ faultId: 'f1', cluster: 'west', message: 'denied, token=abc123', manual: 'kubectl …' }],
      startedAtMs: 0,
      finishedAtMs: 0,
      startedAt: '',
      finishedAt: '',
    };
    const problems = problemsOf(broken);
    expect(problems[0]).to.match(/^harness: fault f1 in west NOT reverted/);
    expect(problems.join('\n')).not.to.include('abc123');
  });

  it('a suite message: the scenario without a result first, passed ones left out', () => {
    const message = suiteNotification({ name: 'nightly', exitCode: 3, where: 'reports/n/', notRun: 1 }, [
      { kind: 'run', result: passed, where: 'reports/p/' },
      { kind: 'run', result: failed, where: 'reports/f/' },
      { kind: 'error', scenario: 'ledger', exitCode: 3, message: 'apiserver unreachable', where: null },
    ]);
    expect(message.text.split('\n')[0]).to.equal('❌ chaos suite nightly: 1 of 3 passed, 1 not run (exit 3)');
    const ledger = message.text.indexOf('ledger: harness error');
    expect(ledger).to.be.greaterThan(0);
    expect(ledger).to.be.lessThan(message.text.indexOf('reports/f/'));
    expect(message.text).not.to.include('reports/p/');
    expect(message.blocks.filter((b) => b.type === 'section')).to.have.length(3);
  });
});
