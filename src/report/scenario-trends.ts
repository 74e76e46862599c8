/**
 * A scenario's nightly trend and whether it is flaky, for the reports index (pure).
 *
 * Trend: over its last N runs (oldest first), the time to recover (the longest over the
 * ingresses) and the fault phases' p95 (the worst over the phases with faults and the ingresses),
 * each with its newest value, median and maximum.
 *
 * Flaky: in those runs, two consecutive runs of the scenario on the same chaos version and the
 * same scenario file (its content as run: see `scenarioFingerprint`) whose verdicts differ — one
 * passed, the other failed or was aborted by an abort limit. Runs without a verdict on the
 * system (a harness error, an interruption, inconclusive, invalid) are left out of the sequence;
 * a change of version or file between two runs is a reason, not a flake.
 */
import { createHash } from 'node:crypto';
import type { RunResult } from './result-schema.js';

/** Runs a trend looks back over. */
export const trendRuns = 10;

/** What the trend needs of one run (an index line). */
interface TrendRun {
  folder: string;
  startedAt: string;
  status: RunResult['outcome']['status'];
  timeToRecoverMs: number | null;
  recovery?: string;
  worst: { p95: number | null };
  chaosVersion?: string;
  scenarioFile?: string;
}

interface Spread {
  last: number | null;
  median: number | null;
  max: number | null;
}

export interface ScenarioTrend {
  /** How many runs the trend covers (at most `trendRuns`). */
  runs: number;
  points: Array<{
    folder: string;
    startedAt: string;
    status: TrendRun['status'];
    timeToRecoverMs: number | null;
    /** The time to recover in words when there is no number: "never recovered", "not impacted". */
    recovery?: string;
    faultP95: number | null;
  }>;
  timeToRecoverMs: Spread;
  faultP95: Spread;
}

export interface Flip {
  before: string;
  after: string;
  from: TrendRun['status'];
  to: TrendRun['status'];
  chaosVersion: string;
}

/**
 * The scenario as run, without what a run may change (`--phase` durations), hashed: two runs
 * with the same fingerprint ran the same file content (whitespace and comments aside).
 */
export function scenarioFingerprint(scenario: RunResult['scenario']): string {
  const { phases, ...rest } = scenario;
  const asWritten = phases.map(({ durationMs: _asRun, ...phase }) => phase);
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, phases: asWritten }))
    .digest('hex')
    .slice(0, 16);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function spread(values: Array<number | null>): Spread {
  const present = values.filter((v): v is number => v !== null);
  return {
    last: values[values.length - 1] ?? null,
    median: median(present),
    max: present.length === 0 ? null : Math.max(...present),
  };
}

/** `runs`: one scenario's runs, oldest first. */
export function scenarioTrend(runs: readonly TrendRun[]): ScenarioTrend {
  const recent = runs.slice(-trendRuns);
  const points = recent.map((r) => ({
    folder: r.folder,
    startedAt: r.startedAt,
    status: r.status,
    timeToRecoverMs: r.timeToRecoverMs,
    ...(r.timeToRecoverMs === null && r.recovery ? { recovery: r.recovery } : {}),
    faultP95: r.worst.p95,
  }));
  return {
    runs: points.length,
    points,
    timeToRecoverMs: spread(points.map((p) => p.timeToRecoverMs)),
    faultP95: spread(points.map((p) => p.faultP95)),
  };
}

const verdictOf = (status: TrendRun['status']): 'pass' | 'fail' | undefined =>
  status === 'passed' ? 'pass' : status === 'failed' || status === 'aborted' ? 'fail' : undefined;

/** The flips in a scenario's last `trendRuns` runs (oldest first); flaky when there is one. */
export function verdictFlips(runs: readonly TrendRun[]): Flip[] {
  const judged = runs.slice(-trendRuns).filter((r) => verdictOf(r.status) !== undefined);
  const flips: Flip[] = [];
  for (let i = 1; i < judged.length; i++) {
    const [before, after] = [judged[i - 1]!, judged[i]!];
    const same =
      before.chaosVersion !== undefined &&
      before.chaosVersion === after.chaosVersion &&
      before.scenarioFile !== undefined &&
      before.scenarioFile === after.scenarioFile;
    if (same && verdictOf(before.status) !== verdictOf(after.status))
      flips.push({
        before: before.folder,
        after: after.folder,
        from: before.status,
        to: after.status,
        chaosVersion: after.chaosVersion!,
      });
  }
  return flips;
}
