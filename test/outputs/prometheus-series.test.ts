/**
 * A run's series (docs/metrics.md) as OpenMetrics text and as a remote-write request: the file is
 * read back by a parser written here from the OpenMetrics text format, the request's bytes are
 * compared with the protobuf wire format worked out by hand, and every expected number comes from
 * result.json by the documented rule, not from the code under test.
 */
import { expect } from 'chai';
import path from 'node:path';
import { uncompress } from 'snappyjs';
import { encodeWriteRequest, timeSeriesOf } from '../../src/play/outputs/prometheus/remote-write.js';
import { metricFamilies } from '../../src/report/metrics/metric-families.js';
import { renderOpenMetrics, renderRunOpenMetrics } from '../../src/report/metrics/render-openmetrics.js';
import { endSeries, windowSeriesOf } from '../../src/report/metrics/run-series.js';
import { readResult } from '../../src/report/read-reports.js';
import type { RunResult } from '../../src/report/result-schema.js';
import { fixtureReports, fixtureRuns } from '../report/report-fixtures.js';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** A small OpenMetrics reader: families (TYPE/UNIT/HELP) and samples with their timestamps. */
function parseOpenMetrics(text: string) {
  const families: Array<{ name: string; type: string }> = [];
  const samples: ParsedSample[] = [];
  const lines = text.split('\n');
  expect(lines.at(-1), 'the text ends in a newline').to.equal('');
  expect(lines.at(-2)).to.equal('# EOF');
  for (const line of lines.slice(0, -2)) {
    const meta = /^# (TYPE|UNIT|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') families.push({ name: meta[2]!, type: meta[3]! });
      else expect(meta[2], `${meta[1]} follows its TYPE`).to.equal(families.at(-1)?.name);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+) (\d+)\.(\d{3})$/.exec(line);
    expect(match, `a sample line: ${line}`).to.not.equal(null);
    const labels: Record<string, string> = {};
    for (const pair of match![2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const family = families.at(-1)!;
    const expectedName = family.type === 'counter' ? `${family.name}_total` : family.name;
    expect(match![1], 'a sample belongs to the family above it').to.equal(expectedName);
    samples.push({
      name: match![1]!,
      labels,
      value: Number(match![3]),
      timestampMs: Number(match![4]) * 1000 + Number(match![5]),
    });
  }
  return { families, samples };
}

describe('a run as Prometheus series (OpenMetrics file, remote write)', () => {
  let result: RunResult;
  before(async () => {
    result = await readResult(path.join(fixtureReports, fixtureRuns.failed, 'result.json'));
  });

  it('the OpenMetrics file has one sample of each window statistic per window and ingress, at its end', () => {
    const { families, samples } = parseOpenMetrics(renderRunOpenMetrics(result));
    expect(new Set(families.map((f) => f.name)).size, 'each family once').to.equal(families.length);
    const run = { run_id: result.runId, scenario: result.scenario.name, environment: result.environment.name };
    const find = (name: string, labels: Record<string, string>, atMs: number) =>
      samples.filter(
        (s) =>
          s.name === name &&
          s.timestampMs === atMs &&
          Object.entries({ ...run, ...labels }).every(([k, v]) => s.labels[k] === v) &&
          Object.keys(s.labels).length === Object.keys({ ...run, ...labels }).length,
      );
    expect(result.windows.length).to.be.greaterThan(10);
    const totals = new Map<string, [number, number]>();
    for (const w of result.windows) {
      const labels = { ingress: w.ingress, phase: w.phase };
      expect(find('chaos_window_requests', labels, w.endMs).map((s) => s.value)).to.deep.equal([w.requests]);
      expect(find('chaos_window_errors', labels, w.endMs).map((s) => s.value)).to.deep.equal([w.failures]);
      const key = `${w.ingress}/${w.phase}`;
      const [requests, errors] = totals.get(key) ?? [0, 0];
      totals.set(key, [requests + w.requests, errors + w.failures]);
      expect(find('chaos_requests_total', labels, w.endMs)[0]?.value).to.equal(requests + w.requests);
      expect(find('chaos_request_errors_total', labels, w.endMs)[0]?.value).to.equal(errors + w.failures);
      if (w.requests === 0) continue;
      expect(find('chaos_window_error_ratio', labels, w.endMs)[0]?.value).to.equal(w.failures / w.requests);
      expect(find('chaos_window_latency_seconds', { ...labels, quantile: '0.95' }, w.endMs)[0]?.value).to.equal(
        w.p95! / 1000,
      );
      for (const [cluster, count] of Object.entries(w.servedBy).filter(([c]) => c !== 'not measured'))
        expect(find('chaos_window_served_ratio', { ...labels, served_by: cluster }, w.endMs)[0]?.value).to.equal(
          count / w.requests,
        );
    }
    const windowSamples = samples.filter((s) => s.name === 'chaos_window_requests');
    expect(windowSamples).to.have.length(result.windows.length);
  });

  it('the end series give each phase × ingress its error rate, each budget its verdict, and the outcome', () => {
    const { samples } = parseOpenMetrics(renderRunOpenMetrics(result));
    const endMs = Date.parse(result.endedAt);
    for (const { phase, ingress, stats } of result.phaseStats) {
      const own = (name: string) =>
        samples.filter((s) => s.name === name && s.labels.phase === phase && s.labels.ingress === ingress);
      expect(own('chaos_phase_requests').map((s) => [s.value, s.timestampMs])).to.deep.equal([[stats.requests, endMs]]);
      if (stats.requests > 0)
        expect(own('chaos_phase_error_ratio')[0]!.value).to.equal(stats.failures / stats.requests);
    }
    const verdicts = samples.filter((s) => s.name === 'chaos_budget_pass');
    expect(verdicts).to.have.length(result.verdicts.length);
    for (const verdict of result.verdicts) {
      const found = verdicts.find(
        (s) =>
          s.labels.budget === verdict.budget &&
          s.labels.phase === verdict.phase &&
          s.labels.ingress === verdict.ingress,
      );
      expect(found?.value, verdict.budget).to.equal(verdict.pass ? 1 : 0);
    }
    expect(result.outcome.status).to.equal('failed');
    const outcome = samples.filter((s) => s.name === 'chaos_run_outcome');
    expect(outcome.map((s) => [s.labels.outcome, s.value])).to.deep.equal([['failed', 1]]);
    expect(samples.find((s) => s.name === 'chaos_run_exit_code')?.value).to.equal(result.outcome.exitCode);
  });

  it('label values and help are escaped; timestamps are exact milliseconds', () => {
    const family = metricFamilies.windowRequests;
    const text = renderOpenMetrics([
      { family, labels: { scenario: 'a "b"\\c\nd', run_id: 'r' }, value: 3, timestampMs: 1_765_000_000_007 },
    ]);
    expect(text).to.include('chaos_window_requests{run_id="r",scenario="a \\"b\\"\\\\c\\nd"} 3 1765000000.007\n');
    expect(parseOpenMetrics(text).samples[0]!.labels.scenario).to.equal('a "b"\\c\nd');
  });

  it('a remote-write request is the WriteRequest protobuf, snappy-compressed, labels sorted with __name__', () => {
    const bytes = encodeWriteRequest([
      { family: metricFamilies.windowRequests, labels: { run_id: 'r' }, value: 2, timestampMs: 1000 },
    ]);
    const text = (s: string) => [...Buffer.from(s)];
    // prometheus.WriteRequest { timeseries (1): TimeSeries { labels (1): Label { name (1), value (2) },
    // samples (2): Sample { value (1, double), timestamp (2, varint) } } }, by the wire format.
    const nameLabel = [0x0a, 8, ...text('__name__'), 0x12, 21, ...text('chaos_window_requests')];
    const runLabel = [0x0a, 6, ...text('run_id'), 0x12, 1, ...text('r')];
    const sample = [0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0xe8, 0x07];
    const series = [0x0a, nameLabel.length, ...nameLabel, 0x0a, runLabel.length, ...runLabel, 0x12, 12, ...sample];
    const expected = [0x0a, series.length, ...series];
    expect([...uncompress(bytes)]).to.deep.equal(expected);
  });

  it('a series sent by remote write has its samples in time order and once per label set', () => {
    const samples = [...windowSeriesOf(result), ...endSeries(result)];
    const series = timeSeriesOf([...samples].reverse());
    const keys = series.map((s) => JSON.stringify(s.labels));
    expect(new Set(keys).size).to.equal(keys.length);
    expect(series.reduce((n, s) => n + s.samples.length, 0)).to.equal(samples.length);
    for (const s of series) {
      const names = s.labels.map((l) => l.name);
      expect(names).to.deep.equal([...names].sort());
      expect(s.samples.map((x) => x.timestamp)).to.deep.equal(s.samples.map((x) => x.timestamp).sort((a, b) => a - b));
    }
  });
});
