/**
 * reports/index.json: every run with its verdict and key numbers, newest first, and each
 * scenario's trend across runs (oldest first), with its last runs' time to recover and
 * fault-phase p95 and whether it is flaky (scenario-trends.ts). Built from the results of the
 * run folders.
 * Pure and deterministic: the same folders give the same bytes.
 */
import { formatTiming, runDurationMs, verdictCounts } from './format-values.js';
import type { BatchRecord } from './report-input.js';
import type { RunResult } from './result-schema.js';
import { scenarioFingerprint, scenarioTrend, verdictFlips, type Flip, type ScenarioTrend } from './scenario-trends.js';

const indexSchemaVersion = 1;

export interface IndexRun {
  folder: string;
  report: string;
  scenario: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  environment: string;
  status: RunResult['outcome']['status'];
  exitCode: number;
  expectation: 'pass' | 'fail';
  verdicts: { passed: number; failed: number; total: number };
  requests: number;
  /** Worst value over the phases with faults (every phase when none has faults) and every ingress. */
  worst: { errorRate: number | null; p95: number | null; p99: number | null };
  /** Longest over the ingresses; null when no ingress saw an impact / recovered. */
  timeToImpactMs: number | null;
  timeToRecoverMs: number | null;
  /**
   * The worst outcome over the ingresses in words, so none is left out: "never recovered",
   * "recovered during the fault", "not impacted", "not measured", or the longest time.
   */
  impact: string;
  recovery: string;
  reason: string;
  /** chaos's version and the scenario file's fingerprint: what a flake is judged on (absent in old pruned lines). */
  chaosVersion?: string;
  scenarioFile?: string;
  /** The folder was pruned (chaos report --prune, a suite's retention): this line is all that is left. */
  pruned?: boolean;
}

export interface IndexScenario {
  name: string;
  runs: number;
  passed: number;
  lastStatus: IndexRun['status'];
  lastFolder: string;
  /** One point per run, oldest first. */
  points: Array<{
    folder: string;
    startedAt: string;
    status: IndexRun['status'];
    p95: number | null;
    p99: number | null;
    errorPct: number | null;
    label: string;
  }>;
  /** The last runs' time to recover and fault-phase p95 (scenario-trends.ts). */
  trend: ScenarioTrend;
  /** A verdict flipped between consecutive runs on the same chaos version and scenario file. */
  flaky: boolean;
  flips: Flip[];
}

export interface RunIndex {
  schemaVersion: number;
  runs: IndexRun[];
  scenarios: IndexScenario[];
  batches: Array<{
    folder: string;
    startedAt: string;
    exitCode: number;
    runs: Array<{ scenario: string; folder: string | null; exitCode: number }>;
  }>;
  /** Folders with a result.json that could not be read (another format version, damage). */
  unreadable: Array<{ folder: string; reason: string }>;
}

export interface IndexInput {
  runs: Array<{ folder: string; result: RunResult }>;
  batches: Array<{ folder: string; batch: BatchRecord }>;
  unreadable: Array<{ folder: string; reason: string }>;
  /** Summary lines of pruned runs (reports/pruned.json). */
  pruned?: IndexRun[];
}

const maxOf = (values: Array<number | null>): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
};

export function summarizeRun(folder: string, result: RunResult): IndexRun {
  const faulty = new Set(result.scenario.phases.filter((p) => p.faults.length > 0).map((p) => p.name));
  const judged = result.phaseStats.filter((s) => faulty.size === 0 || faulty.has(s.phase));
  return {
    folder,
    report: `${folder}/report.html`,
    scenario: result.scenario.name,
    runId: result.runId,
    startedAt: result.startedAt,
    durationMs: runDurationMs(result),
    environment: result.environment.name,
    status: result.outcome.status,
    exitCode: result.outcome.exitCode,
    expectation: result.outcome.expectation,
    verdicts: verdictCounts(result),
    requests: result.samples.requests,
    worst: {
      errorRate: maxOf(judged.map((s) => s.stats.errorRate)),
      p95: maxOf(judged.map((s) => s.stats.p95)),
      p99: maxOf(judged.map((s) => s.stats.p99)),
    },
    timeToImpactMs: maxOf(result.timings.map((t) => t.timeToImpactMs)),
    timeToRecoverMs: maxOf(result.timings.map((t) => t.timeToRecoverMs)),
    impact: worstTiming(result.timings, 'impact'),
    recovery: worstTiming(result.timings, 'recovery'),
    reason: result.outcome.reason,
    chaosVersion: result.versions.chaos,
    scenarioFile: scenarioFingerprint(result.scenario),
  };
}

/** Worst first: an outcome earlier in this list hides the ones after it in the index's one cell. */
const worstFirst = ['never-recovered', 'measured', 'recovered-during-fault', 'not-impacted', 'not-measured'];

/** The worst ingress's time to impact or recover, in the report's words (format-values.ts). */
function worstTiming(timings: RunResult['timings'], which: 'impact' | 'recovery'): string {
  const rank = (t: RunResult['timings'][number]) => {
    const kind = (which === 'impact' ? t.impact : t.recovery) ?? 'not-measured';
    const ms = which === 'impact' ? t.timeToImpactMs : t.timeToRecoverMs;
    return worstFirst.indexOf(kind) * 1e12 - (ms ?? 0);
  };
  const worst = [...timings].sort((a, b) => rank(a) - rank(b))[0];
  return worst ? formatTiming(worst, which) : 'not measured';
}

export function buildRunIndex(input: IndexInput): RunIndex {
  const byFolder = [...input.runs].sort((a, b) => a.folder.localeCompare(b.folder));
  const live = byFolder.map(({ folder, result }) => summarizeRun(folder, result));
  const gone = (input.pruned ?? []).filter((p) => !live.some((r) => r.folder === p.folder));
  const runs = [...live, ...gone.map((p) => ({ ...p, pruned: true }))].sort((a, b) => a.folder.localeCompare(b.folder));
  const names = [...new Set(runs.map((r) => r.scenario))].sort();
  const scenarios = names.map((name) => {
    const own = runs.filter((r) => r.scenario === name);
    const last = own[own.length - 1]!;
    const flips = verdictFlips(own);
    return {
      name,
      runs: own.length,
      passed: own.filter((r) => r.status === 'passed').length,
      lastStatus: last.status,
      lastFolder: last.folder,
      points: own.map((r) => ({
        folder: r.folder,
        startedAt: r.startedAt,
        status: r.status,
        p95: r.worst.p95,
        p99: r.worst.p99,
        errorPct: r.worst.errorRate === null ? null : Number((r.worst.errorRate * 100).toFixed(3)),
        label: `${r.startedAt.slice(0, 16).replace('T', ' ')}Z ${r.status}`,
      })),
      trend: scenarioTrend(own),
      flaky: flips.length > 0,
      flips,
    };
  });
  return {
    schemaVersion: indexSchemaVersion,
    runs: runs.reverse(),
    scenarios,
    batches: [...input.batches]
      .sort((a, b) => b.folder.localeCompare(a.folder))
      .map(({ folder, batch }) => ({
        folder,
        startedAt: batch.startedAt,
        exitCode: batch.exitCode,
        runs: batch.runs.map((r) => ({ scenario: r.scenario, folder: r.folder, exitCode: r.exitCode })),
      })),
    unreadable: [...input.unreadable].sort((a, b) => a.folder.localeCompare(b.folder)),
  };
}
