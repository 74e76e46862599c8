/**
 * Nightly trends and flakes in the reports index: each scenario's time to recover and
 * fault-phase p95 over its last 10 runs, and "flaky" when its verdict flipped between
 * consecutive runs on the same chaos version and scenario file. Expected numbers are worked out
 * by hand from those rules.
 */
import { expect } from 'chai';
import path from 'node:path';
import { readIndexInput } from '../../src/report/read-reports.js';
import { renderIndexHtml } from '../../src/report/render-index.js';
import type { RunResult } from '../../src/report/result-schema.js';
import { buildRunIndex } from '../../src/report/run-index.js';
import { scenarioFingerprint, scenarioTrend, verdictFlips } from '../../src/report/scenario-trends.js';
import { fixtureReports, fixtureRuns, stubAssets } from './report-fixtures.js';

type Status = RunResult['outcome']['status'];

function run(n: number, status: Status, extra: { version?: string; file?: string; ttr?: number | null; p95?: number }) {
  return {
    folder: `2026120${Math.floor(n / 10)}T0${n % 10}0000Z-frontend-zero`,
    startedAt: `2026-12-0${Math.floor(n / 10) + 1}T0${n % 10}:00:00.000Z`,
    status,
    timeToRecoverMs: extra.ttr === undefined ? 1000 * n : extra.ttr,
    recovery: extra.ttr === null ? 'never recovered' : `${n}.0 s`,
    worst: { p95: extra.p95 ?? 100 + n },
    chaosVersion: extra.version ?? '0.1.0',
    scenarioFile: extra.file ?? 'f1',
  };
}

describe('reports index: nightly trends and flakes', () => {
  it('the trend covers the last 10 runs: time to recover and fault-phase p95 with newest, median and max', () => {
    // Runs 0..11: the trend keeps 2..11. Time to recover 2000..11000 ms but run 5 never recovered.
    const runs = Array.from({ length: 12 }, (_, n) => run(n, 'passed', { ttr: n === 5 ? null : undefined }));
    const trend = scenarioTrend(runs);
    expect(trend.runs).to.equal(10);
    expect(trend.points[0]!.folder).to.equal(runs[2]!.folder);
    expect(trend.points[3]).to.include({ timeToRecoverMs: null, recovery: 'never recovered' });
    // Present: 2,3,4,6,7,8,9,10,11 s (nine values) → median 7 s, max 11 s, newest 11 s.
    expect(trend.timeToRecoverMs).to.deep.equal({ last: 11_000, median: 7_000, max: 11_000 });
    // p95 102..111 (ten values) → median (106 + 107) / 2.
    expect(trend.faultP95).to.deep.equal({ last: 111, median: 106.5, max: 111 });
  });

  it('a flip between consecutive runs on the same chaos version and file is a flake; other changes are not', () => {
    const flaky = verdictFlips([run(1, 'passed', {}), run(2, 'failed', {}), run(3, 'failed', {})]);
    expect(flaky).to.deep.equal([
      {
        before: run(1, 'passed', {}).folder,
        after: run(2, 'failed', {}).folder,
        from: 'passed',
        to: 'failed',
        chaosVersion: '0.1.0',
      },
    ]);
    // An abort limit breached is a failed verdict too.
    expect(verdictFlips([run(1, 'aborted', {}), run(2, 'passed', {})])).to.have.length(1);
    // A new chaos version, or a changed scenario file, explains the change.
    expect(verdictFlips([run(1, 'passed', {}), run(2, 'failed', { version: '0.2.0' })])).to.deep.equal([]);
    expect(verdictFlips([run(1, 'passed', {}), run(2, 'failed', { file: 'f2' })])).to.deep.equal([]);
    // Runs without a verdict (harness error, interrupted, inconclusive) are left out: pass … fail still flips.
    const around = [run(1, 'passed', {}), run(2, 'error', {}), run(3, 'interrupted', {}), run(4, 'failed', {})];
    expect(verdictFlips(around).map((f) => [f.before, f.after])).to.deep.equal([
      [around[0]!.folder, around[3]!.folder],
    ]);
    // Steady failures are not flaky; a flip older than the last 10 runs no longer counts.
    expect(verdictFlips([run(1, 'failed', {}), run(2, 'failed', {})])).to.deep.equal([]);
    const old = [run(0, 'passed', {}), ...Array.from({ length: 10 }, (_, n) => run(n + 1, 'failed', {}))];
    expect(verdictFlips(old)).to.deep.equal([]);
    // Lines of runs pruned before versions were recorded cannot be compared.
    expect(verdictFlips([{ ...run(1, 'passed', {}), chaosVersion: undefined }, run(2, 'failed', {})])).to.deep.equal(
      [],
    );
  });

  it('the scenario file fingerprint ignores --phase durations and changes with the content', async () => {
    const input = await readIndexInput(fixtureReports);
    const result = input.runs.find((r) => r.folder === fixtureRuns.passed)!.result;
    const overridden = structuredClone(result.scenario);
    overridden.phases[0]!.durationMs += 5000;
    expect(scenarioFingerprint(overridden)).to.equal(scenarioFingerprint(result.scenario));
    const edited = structuredClone(result.scenario);
    edited.phases[0]!.fileDurationMs += 5000;
    expect(scenarioFingerprint(edited)).not.to.equal(scenarioFingerprint(result.scenario));
  });

  it('index.json and index.html mark the flaky scenario and show its trends', async () => {
    const input = await readIndexInput(fixtureReports);
    const passed = input.runs.find((r) => r.folder === fixtureRuns.passed)!.result;
    // Three nights of the same file and version: passed, failed, passed.
    const night = (day: number, status: Status): { folder: string; result: RunResult } => {
      const result = structuredClone(passed);
      result.startedAt = `2026-12-0${day}T02:00:00.000Z`;
      result.outcome.status = status;
      return { folder: `2026120${day}T020000Z-frontend-zero`, result };
    };
    const index = buildRunIndex({
      runs: [night(1, 'passed'), night(2, 'failed'), night(3, 'passed')],
      batches: [],
      unreadable: [],
    });
    const scenario = index.scenarios.find((s) => s.name === 'frontend-zero')!;
    expect(scenario.flaky).to.equal(true);
    expect(scenario.flips.map((f) => `${f.from}→${f.to}`)).to.deep.equal(['passed→failed', 'failed→passed']);
    expect(scenario.trend.runs).to.equal(3);
    const html = renderIndexHtml(index, stubAssets);
    expect(html).to.match(/frontend-zero <span class="badge flaky" title="verdict flipped between consecutive runs/);
    expect(html).to.include('time to recover, last 10 runs');
    const p95 = passed.phaseStats
      .filter((s) => passed.scenario.phases.some((p) => p.name === s.phase && p.faults.length > 0))
      .map((s) => s.stats.p95!);
    expect(scenario.trend.faultP95.max).to.equal(Math.max(...p95));
    expect(path.basename(scenario.lastFolder)).to.equal('20261203T020000Z-frontend-zero');
  });
});
