/**
 * Bench: A/A calibration of the verdicts and the baseline comparison. The same no-fault scenario
 * (bench/aa-no-fault.yaml: frontend-zero's budgets and load, no fault) runs N times (AA_RUNS,
 * default 20) on a lab of its own (`chaos lab up`, free loopback ports, a private state folder).
 * Every phase is the same system, so:
 *   - a failed verdict is a false fail (design target: 0 for the shipped budgets);
 *   - a comparison that claims a difference (`differs`) is a false claim (design target: at most
 *     the nominal 5 %); the raw p-values and intervals are counted too, to show the drift the
 *     claim's tolerance absorbs.
 * Inconclusive and no-data verdicts are counted apart: they are not passes, nor false fails.
 *
 *   npm run build && npx tsx bench/aa-calibration.ts      # AA_RUNS=20 AA_PHASE=8s
 *   AA_SCENARIO=plain AA_PHASE=10s npx tsx bench/aa-calibration.ts   # the built-in load (aa-no-fault-plain.yaml)
 *   AA_SCENARIO=errors npx tsx bench/aa-calibration.ts   # a 2 % abort in every step (aa-background-errors.yaml)
 *   AA_KEEP=/tmp/aa …   # keep every run's folder (result.json, k6-samples.json) to study offline
 *
 * It ends with the tolerance this machine (or cluster) needs: the smallest relative tolerance
 * (`compare.tolerance.relative`, floors as configured) that keeps its false claims at or under 5 %.
 *
 * One warm-up run comes first and is not counted (a lab just started is not in its steady state).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startLabProcess } from '../test/support/lab-process.js';
import { projectRoot } from '../test/support/cli.js';
import type { RunResult } from '../src/report/result-schema.js';

const runs = Number(process.env.AA_RUNS ?? 20);
const phase = process.env.AA_PHASE ?? '8s';
const which = process.env.AA_SCENARIO ?? 'journeys';
const scenarioFile: Record<string, string> = {
  journeys: 'bench/aa-no-fault.yaml',
  plain: 'bench/aa-no-fault-plain.yaml',
  errors: 'bench/aa-background-errors.yaml',
};
const scenario = path.join(projectRoot, scenarioFile[which] ?? scenarioFile.journeys!);
const loadWords = {
  journeys: 'bank journeys at 15/s per ingress',
  plain: 'GET / at 20/s per ingress',
  errors: 'GET / at 20/s per ingress, 2 % aborted in every step',
}[which];

type Comparison = NonNullable<RunResult['comparisons']>[number];

/**
 * The relative tolerance at and above which this comparison would claim nothing: the largest
 * share a statistic whose test was clear moved by (past its floor); 0 when none was clear.
 */
function criticalShare(c: Comparison, part: 'latency' | 'errors'): number {
  if (part === 'errors') {
    const e = c.errors;
    if (!e || e.pValue >= 0.05 || Math.abs(e.difference) < floors.errors) return 0;
    return e.baselineRate > 0 ? Math.abs(e.difference) / e.baselineRate : Infinity;
  }
  const l = c.latency;
  if (!l) return 0;
  const shares = (['p50', 'p95'] as const).map((stat) => {
    const p = stat === 'p50' ? l.windowPValue : l.windowP95PValue;
    const shift = l[stat];
    if (p === null || p === undefined || p >= 0.05 || Math.abs(shift.shift) < floors.latencyMs) return 0;
    return shift.baseline > 0 ? Math.abs(shift.shift) / shift.baseline : Infinity;
  });
  return Math.max(...shares);
}

/** The smallest relative tolerance (whole per cent) that keeps claims at or under 5 % of these. */
function neededTolerance(critical: number[]): string {
  if (critical.length === 0) return '-';
  const allowed = Math.floor(0.05 * critical.length);
  const sorted = [...critical].sort((a, b) => b - a);
  const above = sorted[allowed] ?? 0; // claims happen while the tolerance ≤ a comparison's share
  if (!Number.isFinite(above)) return 'none (a clear shift from a baseline of 0)';
  return `${Math.floor(above * 100) + 1} %`;
}

const floors = { latencyMs: 5, errors: 0.005 };
const critical = { latency: [] as number[], errors: [] as number[], either: [] as number[] };

function chaosRun(env: NodeJS.ProcessEnv, reports: string): Promise<{ code: number | null; stdout: string }> {
  const args = ['run', scenario, '--output', 'json', '--reports', reports];
  for (const name of ['baseline', 'fault', 'recovery']) args.push('--phase', `${name}=${phase}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin/chaos.js'), ...args], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGTERM'), 300_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout });
    });
  });
}

const tally = { runs: 0, verdicts: 0, failed: 0, inconclusive: 0, noData: 0, runsWithFail: 0 };
const claims = {
  latency: 0,
  errors: 0,
  latencyTests: 0,
  errorTests: 0,
  p95Outside: 0,
  windows: 0,
  windowTests: 0,
  windowP95: 0,
  /** The comparison's claim (`differs`): clear per window and past the drift tolerance. */
  differs: 0,
  latencyDiffers: 0,
  errorsDiffer: 0,
};
const lab = await startLabProcess();
// AA_KEEP=<folder>: keep every run's folder (result.json, k6-samples.json) there, to study the comparison offline.
const keep = process.env.AA_KEEP;
const reports = keep ? path.resolve(keep) : mkdtempSync(path.join(tmpdir(), 'chaos-aa-'));
try {
  // One run first, not counted: a lab just started (and k6's first connections) is not the steady state.
  const warmup = await chaosRun(lab.env, reports);
  console.error(`warm-up run: exit ${warmup.code}`);
  for (let i = 0; i < runs; i += 1) {
    const { code, stdout } = await chaosRun(lab.env, reports);
    let result: RunResult;
    try {
      result = JSON.parse(stdout) as RunResult;
    } catch {
      console.error(`run ${i + 1}: exit ${code}, no result document`);
      continue;
    }
    tally.runs += 1;
    const outcomes = result.verdicts.map((v) => v.outcome ?? (v.pass ? 'pass' : 'fail'));
    tally.verdicts += outcomes.length;
    tally.failed += outcomes.filter((o) => o === 'fail').length;
    tally.inconclusive += outcomes.filter((o) => o === 'inconclusive').length;
    tally.noData += outcomes.filter((o) => o === 'no-data').length;
    if (outcomes.includes('fail')) tally.runsWithFail += 1;
    for (const c of result.comparisons ?? []) {
      if (c.latency) {
        claims.latencyTests += 1;
        if (c.latency.pValue < 0.05) claims.latency += 1;
        if (c.latency.p95.low > 0 || c.latency.p95.high < 0) claims.p95Outside += 1;
        if (typeof c.latency.windowPValue === 'number') {
          claims.windowTests += 1;
          if (c.latency.windowPValue < 0.05) claims.windows += 1;
        }
        if (typeof c.latency.windowP95PValue === 'number' && c.latency.windowP95PValue < 0.05) claims.windowP95 += 1;
      }
      if (c.errors) {
        claims.errorTests += 1;
        if (c.errors.pValue < 0.05) claims.errors += 1;
      }
      if (c.latency?.differs) claims.latencyDiffers += 1;
      if (c.errors?.differs) claims.errorsDiffer += 1;
      if (c.latency?.differs || c.errors?.differs) claims.differs += 1;
      const latencyShare = criticalShare(c, 'latency');
      const errorShare = criticalShare(c, 'errors');
      if (c.latency) critical.latency.push(latencyShare);
      if (c.errors) critical.errors.push(errorShare);
      critical.either.push(Math.max(latencyShare, errorShare));
    }
    for (const c of result.comparisons ?? [])
      if (c.latency)
        console.error(
          `  ${c.phase}/${c.ingress}: p50 ${c.latency.p50.baseline.toFixed(1)}→${c.latency.p50.value.toFixed(1)} ` +
            `p95 ${c.latency.p95.baseline.toFixed(1)}→${c.latency.p95.value.toFixed(1)} ms, rank p=${c.latency.pValue.toPrecision(2)}` +
            (c.errors ? `, errors ${c.errors.baselineRate.toFixed(3)}→${c.errors.rate.toFixed(3)}` : ''),
        );
    const failedNames = result.verdicts
      .filter((v) => v.outcome === 'fail')
      .map((v) => `${v.phase}/${v.ingress} ${v.budget}`);
    console.error(
      `run ${i + 1}/${runs}: exit ${code}; ${failedNames.length ? `failed: ${failedNames.join('; ')}` : 'no failed verdict'}`,
    );
  }
} finally {
  await lab.stop();
  if (!keep) rmSync(reports, { recursive: true, force: true });
}

const share = (n: number, of: number) => `${n} of ${of} (${of === 0 ? '-' : ((100 * n) / of).toFixed(1)} %)`;
console.log(`| A/A, ${tally.runs} runs of 3 × ${phase} (${loadWords}, 2 ingresses) | measured |`);
console.log('|---|---|');
console.log(`| runs with any failed verdict (target 0) | ${share(tally.runsWithFail, tally.runs)} |`);
console.log(`| verdicts failed | ${share(tally.failed, tally.verdicts)} |`);
console.log(`| verdicts inconclusive (too few samples) | ${share(tally.inconclusive, tally.verdicts)} |`);
console.log(`| verdicts with no data | ${share(tally.noData, tally.verdicts)} |`);
console.log(`| latency rank test p < 0.05 (per request) | ${share(claims.latency, claims.latencyTests)} |`);
console.log(`| per-window rank test of medians p < 0.05 | ${share(claims.windows, claims.windowTests)} |`);
console.log(`| per-window rank test of p95s p < 0.05 | ${share(claims.windowP95, claims.windowTests)} |`);
console.log(`| p95 shift interval excludes 0 | ${share(claims.p95Outside, claims.latencyTests)} |`);
console.log(`| error-rate exact test p < 0.05 | ${share(claims.errors, claims.errorTests)} |`);
const comparisons = Math.max(claims.latencyTests, claims.errorTests);
console.log(
  `| **claims a difference** (\`differs\`, latency or errors; target ≤ 5 %) | ${share(claims.differs, comparisons)} |`,
);
console.log(`| — of which latency / errors | ${claims.latencyDiffers} / ${claims.errorsDiffer} |`);
console.log(
  `| relative tolerance needed for ≤ 5 % false claims (floors ${floors.latencyMs} ms, ${floors.errors * 100} pts): latency / errors / either | ` +
    `${neededTolerance(critical.latency)} / ${neededTolerance(critical.errors)} / ${neededTolerance(critical.either)} |`,
);
console.log(
  `\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, Node ${process.version}`,
);
