/**
 * A stock k6 script (k6/http, its base URL and Host from __ENV, its own checks, Trend and
 * response callback; nothing of chaos in it) run by `chaos run` on the lab with the real k6:
 * every phase × ingress has its samples and real verdicts, and http_req_failed is k6's own
 * metric (the script's response callback), not status ≥ 400. The same script with hard-coded
 * foreign URLs is warned about by `chaos validate`.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { readRunFile } from '../../src/report/keep-reports.js';

interface Result {
  verdicts: Array<{
    phase: string;
    ingress: string;
    budget: string;
    pass: boolean;
    value: number | null;
    samples: number;
  }>;
  runDir: string;
}

interface Point {
  metric: string;
  type: string;
  data: { value: number; tags?: Record<string, string> };
}

const fixture = (name: string) => path.join(projectRoot, 'test/fixtures/scenarios', name);

describe('a stock k6 script under chaos run (real k6, the lab)', function () {
  this.timeout(180_000);
  let reports: string;
  let lab: LabProcess;
  before(async function () {
    this.timeout(180_000);
    reports = mkdtempSync(path.join(tmpdir(), 'chaos-e2e-stock-'));
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
    rmSync(reports, { recursive: true, force: true });
  });

  it('has samples and real verdicts in every phase × ingress, and its error rate is k6 http_req_failed under its own response callback', () => {
    const { code, stdout, stderr } = runChaos(
      ['run', fixture('stock-k6.yaml'), '--reports', reports, '--raw-samples'],
      {
        timeoutMs: 170_000,
        env: lab.env,
      },
    );
    const dir = /results: (.*)\/$/m.exec(stdout)?.[1];
    expect(dir, `${stdout}\n${stderr}`).to.be.a('string');
    const result = JSON.parse(readFileSync(path.resolve(projectRoot, dir!, 'result.json'), 'utf8')) as Result;
    const budgets = ['checks: rate>0.9', 'http_req_failed: rate<0.1', 'http_req_duration{name:login}: med<4000'];
    for (const phase of ['baseline', 'fault', 'recovery'])
      for (const ingress of ['central', 'west'])
        for (const budget of [...budgets, 'login_page_ms: med<4000']) {
          const verdict = result.verdicts.find(
            (v) => v.phase === phase && v.ingress === ingress && v.budget === budget,
          );
          const at = `${phase}/${ingress} ${budget}`;
          expect(verdict, at).to.not.equal(undefined);
          expect(verdict!.samples, at).to.be.greaterThan(0);
          expect(verdict!.value, at).to.be.a('number');
        }
    expect(code, `${stdout}\n${stderr}`).to.equal(ExitCode.passed);

    // From k6's own record of the same run, per ingress: half the requests answered 404, which the
    // script's callback expects, so k6's http_req_failed stays near 0 where status ≥ 400 is near ½.
    const points = readRunFile(path.resolve(projectRoot, dir!), 'k6-samples.json')
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"metric":"http_req_failed","type":"Point"'))
      .map((line) => JSON.parse(line) as Point);
    for (const ingress of ['central', 'west']) {
      const own = points.filter((point) => point.data.tags?.ingress === ingress);
      const failedByK6 = own.filter((point) => point.data.value === 1).length / own.length;
      const statusAtLeast400 = own.filter((point) => Number(point.data.tags?.status) >= 400).length / own.length;
      expect(own.length, ingress).to.be.greaterThan(20);
      expect(failedByK6, ingress).to.be.below(0.1);
      expect(statusAtLeast400, ingress).to.be.above(0.4);
      // Every request judged in a phase is one of k6's: none counted twice, none invented.
      const judged = result.verdicts
        .filter((v) => v.ingress === ingress && v.budget === 'http_req_failed: rate<0.1')
        .reduce((sum, v) => sum + v.samples, 0);
      expect(judged, ingress)
        .to.be.at.most(own.length)
        .and.at.least(own.length / 2);
    }
  });

  it('validate warns about a request to a hard-coded URL that is no ingress, and about BASE_URL read at the top level', () => {
    const stock = runChaos(['validate', fixture('stock-k6.yaml')]);
    expect(stock.code, stock.stdout + stock.stderr).to.equal(ExitCode.passed);
    expect(stock.stdout).to.not.include('warning');
    const foreign = runChaos(['validate', fixture('stock-k6-foreign.yaml')]);
    expect(foreign.code, foreign.stdout + foreign.stderr).to.equal(ExitCode.passed);
    const warnings = foreign.stdout.split('\n').filter((line) => line.includes('warning:'));
    expect(warnings.map((line) => /stock-k6-foreign\.ts:(\d+)/.exec(line)?.[1])).to.deep.equal(['4', '8', '9']);
    expect(warnings[1]).to.include('http://shop.example.com/cart').and.include('no ingress of environment lab');
    expect(warnings[2]).to.include('http://analytics.example.com:8080/');
    expect(warnings[0]).to.include('__ENV.BASE_URL is read at the script');
  });
});
