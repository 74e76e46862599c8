/**
 * junit.xml validates against the common JUnit XSD with a real validator (xmllint, from
 * Debian's libxml2-utils; scripts/test-prerequisites.sh installs it), for a passing, a failing and a negative-control
 * run, a batch, and a batch with a harness error and hostile text; and a failure names the
 * budget, the phase and the ingress, with what was measured against what.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readBatchReport, readRunReport } from '../../src/report/read-reports.js';
import { renderJunit } from '../../src/report/render-junit.js';
import type { BatchItem, RunReport } from '../../src/report/report-input.js';
import { projectRoot } from '../support/cli.js';
import { fixtureBatch, fixtureReports, fixtureRuns } from './report-fixtures.js';

const xsd = path.join(projectRoot, 'test/fixtures/junit/junit.xsd');

function xmllint(args: string[]): { code: number | null; out: string } {
  const result = spawnSync('xmllint', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error)
    throw new Error(
      `xmllint is needed for this test (bash scripts/test-prerequisites.sh installs it: apt-get install libxml2-utils): ${result.error.message}`,
    );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('junit.xml against the JUnit XSD (xmllint)', function () {
  this.timeout(60_000);
  let dir: string;
  const reports: Record<string, RunReport> = {};
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-junit-'));
    for (const [label, folder] of Object.entries(fixtureRuns))
      reports[label] = await readRunReport(path.join(fixtureReports, folder));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, items: BatchItem[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, renderJunit(items));
    return file;
  };
  const expectValid = (file: string) => {
    const { code, out } = xmllint(['--noout', '--schema', xsd, file]);
    expect(code, out).to.equal(0);
    expect(out).to.include('validates');
  };
  const xpath = (file: string, expression: string) => xmllint(['--xpath', expression, file]).out.replace(/\n$/, '');

  it('the validator is real: it rejects a file that breaks the schema', () => {
    const bad = path.join(dir, 'bad.xml');
    writeFileSync(
      bad,
      '<?xml version="1.0"?><testsuites><testsuite name="x"><testcase time="1,5"/></testsuite></testsuites>',
    );
    const { code, out } = xmllint(['--noout', '--schema', xsd, bad]);
    expect(code).to.not.equal(0);
    expect(out).to.match(/tests' is required|'name' is required/);
  });

  it('a passing run validates and has no failure', () => {
    const file = write('passed.xml', [{ kind: 'run', report: reports.passed! }]);
    expectValid(file);
    expect(xpath(file, 'string(/testsuites/@failures)')).to.equal('0');
    expect(xpath(file, 'count(//testcase)')).to.equal(String(reports.passed!.result.verdicts.length + 1));
  });

  it('a failing run validates, and each failure names the budget, the phase and the ingress, measured against the threshold', () => {
    const file = write('failed.xml', [{ kind: 'run', report: reports.failed! }]);
    expectValid(file);
    const failed = reports.failed!.result.verdicts.filter((v) => !v.pass);
    expect(failed.length).to.be.greaterThan(0);
    expect(xpath(file, 'string(/testsuites/testsuite/@failures)')).to.equal(String(failed.length + 1));
    for (const verdict of failed) {
      const [metric, threshold] = verdict.budget.split(': ');
      const selector = `//testcase[@classname="frontend-zero.${verdict.phase}.${verdict.ingress}" and starts-with(@name, "${verdict.budget}")]/failure/@message`;
      const message = xpath(file, `string(${selector})`);
      expect(message, selector)
        .to.include(metric!)
        .and.to.include(threshold!)
        .and.to.include(`phase ${verdict.phase}`)
        .and.to.include(`ingress ${verdict.ingress}`)
        .and.to.include(`over ${verdict.samples} samples`);
    }
    expect(xpath(file, 'string(//testcase[@classname="frontend-zero.run"]/failure/@message)')).to.equal(
      `${failed.length} of 12 budget verdicts failed`,
    );
  });

  it('a negative control that saw its breach validates with no failure; the breaches are reported as output', () => {
    const file = write('negative.xml', [{ kind: 'run', report: reports['negative-control']! }]);
    expectValid(file);
    expect(xpath(file, 'string(/testsuites/@failures)')).to.equal('0');
    expect(xpath(file, 'count(//testcase/system-out)')).to.equal(
      String(reports['negative-control']!.result.verdicts.filter((v) => !v.pass).length),
    );
  });

  it('the run testcase tells an abort (failure), an interruption and a fault left applied (errors) apart, and stays valid', () => {
    const base = reports.passed!;
    const variant = (
      outcome: Partial<RunReport['result']['outcome']>,
      failures: Array<{ faultId: string; cluster: string; message: string; manual: string }> = [],
    ): RunReport => ({
      ...base,
      result: {
        ...base.result,
        outcome: { ...base.result.outcome, ...outcome },
        faults: { ...base.result.faults, revertAll: { ...base.result.faults.revertAll!, failures } },
      },
    });
    const cases: Array<[string, RunReport, string]> = [
      [
        'aborted',
        variant({
          status: 'aborted',
          exitCode: 1,
          reason: 'abort limit "http_req_failed: rate<0.5" breached on ingress central',
        }),
        'failure[@type="AbortLimitBreached"]',
      ],
      [
        'interrupted',
        variant({ status: 'interrupted', exitCode: 130, reason: 'interrupted by SIGINT; faults reverted' }),
        'error[@type="Interrupted"]',
      ],
      [
        'left applied',
        variant({ status: 'error', exitCode: 3, reason: 'could not revert' }, [
          {
            faultId: 'scale-1',
            cluster: 'central',
            message: 'API unreachable',
            manual: 'kubectl scale deployment/frontend --replicas=2',
          },
        ]),
        'error[@type="RevertFailed"]',
      ],
    ];
    for (const [name, report, expected] of cases) {
      const file = write(`${name.replace(' ', '-')}.xml`, [{ kind: 'run', report }]);
      expectValid(file);
      expect(xpath(file, `count(//testcase[@classname="frontend-zero.run"]/${expected})`), name).to.equal('1');
    }
  });

  it('a batch validates: one testsuite per scenario', async () => {
    const batch = await readBatchReport(path.join(fixtureReports, fixtureBatch));
    const file = write('batch.xml', batch.items);
    expectValid(file);
    expect(xpath(file, 'count(/testsuites/testsuite)')).to.equal('2');
  });

  it('a batch with a harness error and hostile text (control characters, markup, CDATA ends) still validates', () => {
    const failed = reports.failed!;
    const hostile: RunReport = {
      ...failed,
      result: {
        ...failed.result,
        outcome: {
          ...failed.result.outcome,
          reason: 'k6 said \u001b[31mred\u001b[0m <b>&amp; &foo; ]]> "quoted"\u0000',
        },
      },
    };
    const file = write('hostile.xml', [
      { kind: 'run', report: hostile },
      {
        kind: 'error',
        scenario: 'drain-central',
        folder: null,
        exitCode: 3,
        message: 'cannot start the embedded lab: 127.0.0.11:8080 is taken <EADDRINUSE>',
      },
    ]);
    expectValid(file);
    expect(xpath(file, 'string(/testsuites/@errors)')).to.equal('1');
    expect(xpath(file, 'string(//testsuite[@name="drain-central"]//error/@message)')).to.include('EADDRINUSE');
    expect(xpath(file, 'string(//testsuite[@name="frontend-zero"]/system-out)')).to.equal(
      'FAILED: k6 said [31mred[0m <b>&amp; &foo; ]]> "quoted"',
    );
  });
});
