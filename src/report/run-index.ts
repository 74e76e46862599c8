/**
 * reports/index.json: every run with its verdict and key numbers, newest first, and each
 * scenario's trend across runs (oldest first). Built from the results of the run folders.
 * Pure and deterministic: the same folders give the same bytes.
 */
import { runDurationMs, verdictCounts } from './format-values.js';
import type { BatchRecord } from './report-input.js';
import type { RunResult } from './result-schema.js';

const indexSchemaVersion = 1;

interface IndexRun {
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
  reason: string;
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
}

const maxOf = (values: Array<number | null>): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
};

function summarizeRun(folder: string, result: RunResult): IndexRun {
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
    reason: result.outcome.reason,
  };
}

export function buildRunIndex(input: IndexInput): RunIndex {
  const byFolder = [...input.runs].sort((a, b) => a.folder.localeCompare(b.folder));
  const runs = byFolder.map(({ folder, result }) => summarizeRun(folder, result));
  const names = [...new Set(runs.map((r) => r.scenario))].sort();
  const scenarios = names.map((name) => {
    const own = runs.filter((r) => r.scenario === name);
    const last = own[own.length - 1]!;
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
