/** The result's rows for transitions and timings (src/report/result-timing-schema.ts). Pure. */
import type { RunRecord } from '../run/timeline/run-record.js';
import type { IngressTiming } from '../run/judge/timing.js';
import type { RunResult } from './result-schema.js';

export function transitionRows(record: RunRecord): NonNullable<RunResult['transitions']> {
  const summaries = record.ledger.transitionSummaries();
  return record.ledger.transitionList().map((span) => ({
    name: span.name,
    phase: span.phase ?? span.name,
    stage: span.stage ?? 'apply',
    startedAt: new Date(span.startMs).toISOString(),
    endedAt: span.endMs === undefined ? null : new Date(span.endMs).toISOString(),
    durationMs: (span.endMs ?? span.startMs) - span.startMs,
    ingresses: summaries
      .filter((entry) => entry.phase === span.name)
      .map(({ ingress, stats }) => ({
        ingress,
        requests: stats.requests,
        failures: stats.failures,
        errorRate: stats.errorRate,
        p95: stats.p95,
      })),
  }));
}

export function timingRow(timing: IngressTiming): RunResult['timings'][number] {
  return {
    ingress: timing.ingress,
    timeToImpactMs: timing.timeToImpact.kind === 'measured' ? timing.timeToImpact.ms : null,
    timeToRecoverMs: timing.timeToRecover.kind === 'measured' ? timing.timeToRecover.ms : null,
    impact: timing.timeToImpact.kind,
    recovery: timing.timeToRecover.kind,
    baseline: timing.baseline,
  };
}
