/**
 * The machine-readable result of a run (result.json), versioned. Built from the plan, the
 * record and the outcome; never holds credentials (contexts and names only).
 */
import type { RunPlan } from './build-plan.js';
import type { RunRecord } from './execute-run.js';
import type { RunOutcome } from './judge-run.js';

export const resultSchemaVersion = 1;

export function buildResult(plan: RunPlan, record: RunRecord, outcome: RunOutcome, versions: { chaos: string; k6: string }, runDir: string) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    schemaVersion: resultSchemaVersion,
    runId: plan.runId,
    runDir,
    scenario: { name: plan.scenario.name, file: plan.scenario.file, description: plan.scenario.description, expect: plan.scenario.expect },
    environment: {
      name: plan.environment.name,
      namespace: plan.environment.namespace,
      clusters: plan.environment.clusters.map((cluster) => ({ name: cluster.name, context: cluster.context, region: cluster.region })),
    },
    versions,
    startedAt: iso(record.startedAtMs),
    endedAt: iso(record.endedAtMs),
    outcome: { status: outcome.status, exitCode: outcome.exitCode, reason: outcome.reason, budgetsHeld: outcome.budgetsHeld, expectation: outcome.expectation },
    stop: record.stop,
    phases: record.ledger.phaseList().map((phase) => ({ name: phase.name, startedAt: iso(phase.startMs), endedAt: phase.endMs === undefined ? null : iso(phase.endMs) })),
    load: plan.load,
    verdicts: outcome.verdicts,
    phaseStats: record.ledger.phaseSummaries().map((entry) => ({ ...entry, startMs: undefined, endMs: undefined, durationMs: entry.endMs - entry.startMs })),
    timings: outcome.timings,
    faults: {
      applied: record.applied.map((r) => ({ ...r, appliedAt: iso(r.appliedAtMs), effectiveAt: iso(r.effectiveAtMs) })),
      reverted: record.reverted.map((r) => ({ ...r, revertedAt: iso(r.revertedAtMs) })),
      revertAll: record.revertAll ? { ...record.revertAll, startedAt: iso(record.revertAll.startedAtMs), finishedAt: iso(record.revertAll.finishedAtMs) } : null,
    },
    k6: record.k6End ?? null,
    samples: { requests: record.ledger.samples, late: record.ledger.lateSamples },
    windows: record.windows,
  };
}

export type RunResult = ReturnType<typeof buildResult>;
