/**
 * The machine-readable result of a run (result.json), versioned: its shape and documentation
 * are `resultSchema` (src/report/result-schema.ts, docs/result.md). Built from the plan, the
 * record and the outcome; never holds credentials (cluster names and contexts only), and free
 * text from elsewhere (errors, reasons) is scrubbed.
 */
import { resultSchemaVersion, type RunResult } from './result-schema.js';
import { redactUrl, scrubText } from './scrub.js';
import { baselineComparisons } from '../budgets/baseline-comparisons.js';
import { toleranceFor } from '../budgets/compare.js';
import type { RunPlan } from '../run/plan/build-plan.js';
import type { RunRecord } from '../run/timeline/run-record.js';
import type { RunOutcome } from '../run/judge/judge-run.js';
import { timingRow, transitionRows } from './timing-rows.js';

export type { RunResult };

export interface ResultVersions {
  chaos: string;
  k6: string;
  node: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildResult(
  plan: RunPlan,
  record: RunRecord,
  outcome: RunOutcome,
  versions: ResultVersions,
  runDir: string,
): RunResult {
  const { environment } = plan;
  return {
    schemaVersion: resultSchemaVersion,
    runId: plan.runId,
    runDir,
    scenario: scenarioAsRun(plan),
    environment: {
      name: environment.name,
      file: environment.file,
      namespace: environment.namespace,
      clusters: environment.clusters.map((cluster) => ({
        name: cluster.name,
        context: cluster.context,
        ...(cluster.region === undefined ? {} : { region: cluster.region }),
      })),
    },
    versions: { ...versions, resultSchema: resultSchemaVersion },
    startedAt: iso(record.startedAtMs),
    endedAt: iso(record.endedAtMs),
    outcome: {
      status: outcome.status,
      exitCode: outcome.exitCode,
      reason: scrubText(outcome.reason),
      budgetsHeld: outcome.budgetsHeld,
      expectation: outcome.expectation,
    },
    stop:
      record.stop.kind === 'completed'
        ? { kind: 'completed' }
        : { kind: record.stop.kind, reason: scrubText(record.stop.reason) },
    phases: record.ledger.phaseList().map((phase) => ({
      name: phase.name,
      startedAt: iso(phase.startMs),
      endedAt: phase.endMs === undefined ? null : iso(phase.endMs),
    })),
    transitions: transitionRows(record),
    delivery: outcome.delivery,
    load: plan.load.map((load) => ({ ...load, target: redactUrl(load.target) })),
    verdicts: outcome.verdicts.map(resultVerdict),
    comparisons: baselineComparisons(
      record.ledger,
      plan.load.map((load) => load.ingress),
      { tolerance: toleranceFor(plan.scenario.compareTolerance, plan.environment.compareTolerance) },
    ),
    phaseStats: record.ledger.phaseSummaries().map((entry) => ({
      phase: entry.phase,
      ingress: entry.ingress,
      stats: entry.stats,
      durationMs: entry.endMs - entry.startMs,
    })),
    timings: outcome.timings.map(timingRow),
    faults: faultsAsRun(record),
    k6:
      record.k6End === undefined
        ? null
        : record.k6End.kind === 'script-error' || record.k6End.kind === 'crashed'
          ? { ...record.k6End, message: scrubText(record.k6End.message) }
          : record.k6End,
    samples: {
      requests: record.ledger.samples,
      late: record.ledger.lateSamples,
      ...(record.seen ? { k6Reported: record.seen.k6 } : {}),
    },
    ...(record.rawAudit ? { rawAudit: record.rawAudit } : {}),
    windows: record.windows.map((w) => ({ ...w })),
  };
}

/** What the run applied and reverted, and the final revert-all if one ran, with times both as ms and ISO. */
function faultsAsRun(record: RunRecord): RunResult['faults'] {
  return {
    applied: record.applied.map((r) => ({
      faultId: r.faultId,
      cluster: r.cluster,
      appliedAtMs: r.appliedAtMs,
      effectiveAtMs: r.effectiveAtMs,
      appliedAt: iso(r.appliedAtMs),
      effectiveAt: iso(r.effectiveAtMs),
      convergence: r.convergence ?? null,
      convergedAtMs: r.convergedAtMs ?? null,
      convergedAt: r.convergedAtMs === undefined ? null : iso(r.convergedAtMs),
    })),
    reverted: record.reverted.map((r) => ({
      faultId: r.faultId,
      cluster: r.cluster,
      revertedAtMs: r.revertedAtMs,
      revertedAt: iso(r.revertedAtMs),
      convergedAtMs: r.revertConvergedAtMs ?? null,
      convergedAt: r.revertConvergedAtMs === undefined ? null : iso(r.revertConvergedAtMs),
    })),
    revertAll: record.revertAll
      ? {
          reverted: record.revertAll.reverted.map((r) => ({
            faultId: r.faultId,
            cluster: r.cluster,
            revertedAtMs: r.revertedAtMs,
          })),
          failures: record.revertAll.failures.map((f) => ({
            faultId: f.faultId,
            cluster: f.cluster,
            message: scrubText(f.message),
            manual: scrubText(f.manual),
          })),
          startedAtMs: record.revertAll.startedAtMs,
          finishedAtMs: record.revertAll.finishedAtMs,
          startedAt: iso(record.revertAll.startedAtMs),
          finishedAt: iso(record.revertAll.finishedAtMs),
        }
      : null,
  };
}

/** A verdict as result.json holds it: the optional details only when they apply. */
function resultVerdict(v: RunOutcome['verdicts'][number]): RunResult['verdicts'][number] {
  return {
    phase: v.phase,
    ingress: v.ingress,
    budget: v.budget,
    value: v.value,
    samples: v.samples,
    pass: v.pass,
    outcome: v.outcome,
    ...(v.limit === undefined || Number.isNaN(v.limit) ? {} : { limit: v.limit }),
    ...(v.needed === undefined ? {} : { needed: v.needed }),
    ...(v.baseline === undefined ? {} : { baseline: v.baseline }),
    ...(v.timing === undefined ? {} : { timing: v.timing }),
  };
}

/** The normalized scenario with the durations this run used and what each fault changes where. */
function scenarioAsRun(plan: RunPlan): RunResult['scenario'] {
  const { scenario } = plan;
  return {
    name: scenario.name,
    file: scenario.file,
    description: scenario.description,
    expect: scenario.expect,
    environment: scenario.environment,
    load: { ...scenario.load, script: scenario.load.script && { ...scenario.load.script } },
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      durationMs: phase.durationMs,
      fileDurationMs: scenario.phases.find((p) => p.name === phase.name)?.durationMs ?? phase.durationMs,
      faults: phase.faults.map(({ fault, targets }) => ({
        fault: { ...fault },
        targets: targets.map((t) => ({
          cluster: t.cluster,
          context: t.context,
          namespace: t.namespace,
          mutations: t.mutations,
        })),
      })),
    })),
    windowMs: scenario.windowMs,
    recoveredAfterWindows: scenario.recoveredAfterWindows,
    budgets: scenario.budgets.map((b) => ({
      phase: b.phase,
      metric: b.selector.source,
      threshold: b.threshold.source,
    })),
    abortLimits: scenario.abortLimits.map((l) => ({ metric: l.selector.source, threshold: l.threshold.source })),
  };
}
