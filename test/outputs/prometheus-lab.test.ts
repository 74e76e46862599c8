/**
 * `--prometheus-rw` end to end: a lab run (real k6, the built CLI) pushes its series into a REAL
 * Prometheus (built from the Go module proxy by scripts/build-prometheus.sh, its remote-write
 * receiver on, a free loopback port, a private data folder), and PromQL gives back what
 * result.json says: the fault phase's error rate on an ingress, every window, every verdict, the
 * outcome; promtool loads the run folder's OpenMetrics file and the same queries give the same
 * answers. A receiver answering 500 changes neither the outcome nor the exit code.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { RunResult } from '../../src/report/result-schema.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { backfillOpenMetrics, startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';
import { startReceiver } from '../support/receiver.js';

const scenario = `
name: prom-rw
description: an abort on central's frontend; the fault phase breaches its budget
environment: lab
load: { rate: 20, paths: [/], timeout: 5s }
phases: { baseline: 3s, fault: 4s, recovery: 3s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 100 }
budgets:
  baseline: { http_req_failed: rate<0.05 }
  fault: { http_req_failed: rate<0.05 }
`;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('--prometheus-rw: a run seen in a real Prometheus (lab, real k6)', function () {
  this.timeout(300_000);
  let dir: string;
  let lab: LabProcess;
  let prometheus: PrometheusServer;
  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-prom-'));
    writeFileSync(path.join(dir, 'prom-rw.yaml'), scenario);
    prometheus = await startPrometheus();
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (...extra: string[]) =>
    runChaosAsync(['run', path.join(dir, 'prom-rw.yaml'), '--reports', path.join(dir, 'reports'), ...extra], {
      timeoutMs: 150_000,
      env: lab.env,
    });
  const readRun = (stdout: string) => {
    const folder = /results: (.*)\/$/m.exec(stdout)?.[1];
    expect(folder, stdout).to.be.a('string');
    const runDir = path.resolve(projectRoot, folder!);
    return { runDir, result: JSON.parse(readFileSync(path.join(runDir, 'result.json'), 'utf8')) as RunResult };
  };

  it('PromQL gives back the fault phase error rate per ingress, every window, every verdict and the outcome', async () => {
    // While the run goes on, its window series are already there: seen before the run ended, and
    // before its end series (one push at the end would bring both at once).
    let running = true;
    let seenAtMs: number | undefined;
    let endSeriesThen = -1;
    const ran = run('--prometheus-rw', prometheus.writeUrl).finally(() => (running = false));
    while (running && seenAtMs === undefined) {
      const found = await prometheus.query('count(chaos_window_requests{scenario="prom-rw"})').catch(() => []);
      if (found.length > 0 && found[0]!.value > 0) {
        seenAtMs = Date.now();
        endSeriesThen = (await prometheus.query('chaos_run_outcome{scenario="prom-rw"}')).length;
      } else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { code, stdout, stderr } = await ran;
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(seenAtMs, 'window series arrived while the run was going on').to.be.a('number');
    expect(endSeriesThen, 'no end series yet when the first windows were there').to.equal(0);
    const { runDir, result } = readRun(stdout);
    expect(seenAtMs).to.be.lessThan(Date.parse(result.endedAt));
    const id = `run_id="${result.runId}"`;
    const one = async (promql: string) => {
      const found = await prometheus.query(promql);
      expect(found, promql).to.have.length(1);
      return found[0]!.value;
    };

    // Judged by: the fault phase's error rate on an ingress, as PromQL computes it, is the result's.
    const fault = result.phaseStats.filter((entry) => entry.phase === 'fault');
    expect(
      fault.some((entry) => entry.stats.failures > 0),
      'the abort made some requests fail',
    ).to.equal(true);
    for (const { ingress, stats } of fault) {
      const labels = `${id},ingress="${ingress}",phase="fault"`;
      expect(await one(`chaos_phase_errors{${labels}} / chaos_phase_requests{${labels}}`), ingress).to.equal(
        stats.failures / stats.requests,
      );
      expect(await one(`chaos_phase_error_ratio{${labels}}`)).to.equal(stats.errorRate);
      expect(await one(`chaos_phase_requests{${labels}}`)).to.equal(stats.requests);
    }

    // Every window arrived: counts, and the fault windows' errors and requests add up to result.json's.
    for (const ingress of new Set(result.windows.map((w) => w.ingress))) {
      const windows = result.windows.filter((w) => w.ingress === ingress);
      const inFault = windows.filter((w) => w.phase === 'fault');
      const labels = `${id},ingress="${ingress}"`;
      expect(await one(`sum(count_over_time(chaos_window_requests{${labels}}[1h]))`)).to.equal(windows.length);
      expect(await one(`sum_over_time(chaos_window_errors{${labels},phase="fault"}[1h])`)).to.equal(
        sum(inFault.map((w) => w.failures)),
      );
      expect(await one(`chaos_requests_total{${labels},phase="fault"}`)).to.equal(sum(inFault.map((w) => w.requests)));
      const clusters = new Set(windows.flatMap((w) => Object.keys(w.servedBy)).filter((c) => c !== 'not measured'));
      expect(clusters.size, `who served ${ingress} is measured`).to.be.greaterThan(0);
      for (const cluster of clusters) {
        const served = windows.filter((w) => w.requests > 0 && w.servedBy[cluster] !== undefined);
        const series = `chaos_window_served_ratio{${labels},served_by="${cluster}"}`;
        expect(await one(`sum(count_over_time(${series}[1h]))`)).to.equal(served.length);
        expect(await one(`sum(sum_over_time(${series}[1h]))`)).to.be.closeTo(
          sum(served.map((w) => w.servedBy[cluster]! / w.requests)),
          1e-9,
        );
      }
    }

    // Each verdict, and the outcome.
    const verdicts = await prometheus.query(`chaos_budget_pass{${id}}`);
    expect(verdicts).to.have.length(result.verdicts.length);
    for (const verdict of result.verdicts) {
      const found = verdicts.find(
        (v) =>
          v.metric.budget === verdict.budget &&
          v.metric.phase === verdict.phase &&
          v.metric.ingress === verdict.ingress,
      );
      expect(found?.value, `${verdict.budget} ${verdict.phase} ${verdict.ingress}`).to.equal(verdict.pass ? 1 : 0);
    }
    const outcome = await prometheus.query(`chaos_run_outcome{${id}}`);
    expect(outcome.map((o) => [o.metric.outcome, o.value])).to.deep.equal([['failed', 1]]);
    expect(await one(`chaos_run_exit_code{${id}}`)).to.equal(code);

    // The run folder keeps the same series: as many samples as were pushed, and Prometheus's own
    // reader of OpenMetrics (promtool) loads the file into a data folder where the same queries
    // give the same answers as the pushed series.
    const pushed = Number(/prometheus: (\d+) samples pushed/.exec(stdout)?.[1]);
    const file = path.join(runDir, 'metrics.openmetrics.txt');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.filter((line) => line !== '' && !line.startsWith('#'))).to.have.length(pushed);
    expect(pushed).to.be.greaterThan(result.windows.length * 4);
    const atS = Math.max(...result.windows.map((w) => w.endMs), Date.parse(result.endedAt)) / 1000 + 1;
    const backfill = backfillOpenMetrics(file);
    const replay = await startPrometheus(backfill.dataDir);
    try {
      const live = await prometheus.samples(`{${id}}`, atS);
      expect(
        live.reduce((n, series) => n + series.values.length, 0),
        'every pushed sample',
      ).to.equal(pushed);
      expect(await replay.samples(`{${id}}`, atS), 'the same series, samples and values').to.deep.equal(live);
      const queries = [
        `sum by (ingress, phase) (sum_over_time(chaos_window_errors{${id}}[1h]))`,
        `chaos_phase_error_ratio{${id}}`,
        `chaos_budget_pass{${id}}`,
        `chaos_run_outcome{${id}}`,
      ];
      for (const promql of queries) {
        const live = await prometheus.query(promql, atS);
        expect(live, promql).to.not.be.empty;
        expect(await replay.query(promql, atS), promql).to.deep.equal(live);
      }
    } finally {
      await replay.stop();
      backfill.remove();
    }
  });

  it('a receiver answering 500 is logged; the outcome and exit code stay, and the file has every series', async () => {
    const receiver = await startReceiver();
    receiver.status = 500;
    try {
      const { code, stdout, stderr } = await run('--prometheus-rw', `${receiver.url}/api/v1/write`);
      expect(code, stderr).to.equal(ExitCode.budgetsBreached);
      expect(stderr).to.include('Prometheus remote write failed (the run goes on, its outcome unchanged)');
      expect(stderr).to.include('HTTP 500');
      expect(stderr).to.match(/prometheus: \d+ of \d+ samples not pushed/);
      expect(receiver.requests.length, 'tried again with later windows').to.be.greaterThan(1);
      const request = receiver.requests[0]!;
      expect(request.headers['content-encoding']).to.equal('snappy');
      expect(request.headers['content-type']).to.equal('application/x-protobuf');
      expect(request.headers['x-prometheus-remote-write-version']).to.equal('0.1.0');
      const { runDir, result } = readRun(stdout);
      expect(result.outcome.status).to.equal('failed');
      const text = readFileSync(path.join(runDir, 'metrics.openmetrics.txt'), 'utf8');
      expect(text.match(/^chaos_window_requests\{/gm)).to.have.length(result.windows.length);
    } finally {
      await receiver.close();
    }
  });

  it('a URL that is not http(s) is bad input, before anything runs', async () => {
    const { code, stderr } = await run('--prometheus-rw', 'ftp://127.0.0.1/write');
    expect(code, stderr).to.equal(ExitCode.invalidInput);
    expect(stderr).to.include('--prometheus-rw ftp://127.0.0.1/write: expected an http:// or https:// URL');
  });
});
