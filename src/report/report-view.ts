/**
 * What the charts of report.html draw, computed from the result and the journal: per ingress
 * the window series (request rate, error rate, p50/p95/p99, share served by each cluster),
 * the phase spans (fault phases shaded) and the events to mark. Times are seconds since the
 * run started. Pure.
 */
import { servedByNotMeasured } from '../budgets/sample.js';
import { describeMutation } from '../faults/mutation.js';
import type { JournalEntry } from '../run/record/run-events.js';
import type { RunResult } from './result-schema.js';
import { scrubText } from './scrub.js';

type Series = Array<number | null>;

interface IngressSeries {
  name: string;
  t: number[];
  rate: Series;
  errorPct: Series;
  p50: Series;
  p95: Series;
  p99: Series;
  /** Per cluster, the share (%) of the window's requests it served. */
  servedBy: Record<string, Series>;
  /** Set when no served-by mechanism is configured for this ingress: no cluster is drawn for it. */
  servedByNotMeasured?: true;
}

interface PhaseSpan {
  name: string;
  start: number;
  end: number;
  faulty: boolean;
}
type EventKind = 'fault-applied' | 'fault-reverted' | 'fault-failed' | 'abort' | 'revert-all' | 'note';
interface EventMark {
  t: number;
  kind: EventKind;
  label: string;
}

export interface ChartView {
  /** Window length in seconds: each point holds from its time to time + windowS. */
  windowS: number;
  clusters: string[];
  ingresses: IngressSeries[];
  phases: PhaseSpan[];
  events: EventMark[];
}

const round = (value: number | null, digits = 3): number | null =>
  value === null ? null : Number(value.toFixed(digits));

export function buildChartView(result: RunResult, journal: readonly JournalEntry[]): ChartView {
  const origin = Date.parse(result.startedAt);
  const at = (ms: number) => Number(((ms - origin) / 1000).toFixed(3));
  const clusters = [...result.environment.clusters.map((c) => c.name)];
  // "not measured" is no cluster: it is said in words, never drawn as a series or a bar.
  for (const w of result.windows)
    for (const name of Object.keys(w.servedBy))
      if (name !== servedByNotMeasured && !clusters.includes(name)) clusters.push(name);
  const ingresses = result.load.map((load) => {
    const windows = result.windows.filter((w) => w.ingress === load.ingress);
    const servedBy: Record<string, Series> = {};
    for (const cluster of clusters) {
      if (windows.some((w) => (w.servedBy[cluster] ?? 0) > 0))
        servedBy[cluster] = windows.map((w) =>
          w.requests === 0 ? null : round(((w.servedBy[cluster] ?? 0) / w.requests) * 100, 2),
        );
    }
    const notMeasured = windows.some((w) => (w.servedBy[servedByNotMeasured] ?? 0) > 0);
    return {
      name: load.ingress,
      t: windows.map((w) => at(w.startMs)),
      rate: windows.map((w) => round(w.requests / ((w.endMs - w.startMs) / 1000), 2)),
      errorPct: windows.map((w) => (w.errorRate === null ? null : round(w.errorRate * 100, 2))),
      p50: windows.map((w) => round(w.p50)),
      p95: windows.map((w) => round(w.p95)),
      p99: windows.map((w) => round(w.p99)),
      servedBy,
      ...(notMeasured ? { servedByNotMeasured: true as const } : {}),
    };
  });
  const faulty = new Set(result.scenario.phases.filter((p) => p.faults.length > 0).map((p) => p.name));
  const phases = result.phases.map((p) => ({
    name: p.name,
    start: at(Date.parse(p.startedAt)),
    end: at(Date.parse(p.endedAt ?? result.endedAt)),
    faulty: faulty.has(p.name),
  }));
  return { windowS: result.scenario.windowMs / 1000, clusters, ingresses, phases, events: journalEvents(journal, at) };
}

function journalEvents(journal: readonly JournalEntry[], at: (ms: number) => number): EventMark[] {
  const events: EventMark[] = [];
  for (const entry of journal) {
    switch (entry.type) {
      case 'fault-applied':
        events.push({
          t: at(entry.atMs),
          kind: 'fault-applied',
          label: `${entry.faultId} applied in ${entry.cluster} (effective +${entry.effectiveAtMs - entry.atMs} ms)`,
        });
        break;
      case 'fault-reverted':
        events.push({
          t: at(entry.atMs),
          kind: 'fault-reverted',
          label: `${entry.faultId} reverted in ${entry.cluster}${entry.ok ? '' : ' (NOT fully)'}`,
        });
        break;
      case 'fault-failed':
        events.push({
          t: at(entry.atMs),
          kind: 'fault-failed',
          label: `${entry.faultId} failed to ${entry.stage} in ${entry.cluster}`,
        });
        break;
      case 'abort':
        events.push({ t: at(entry.atMs), kind: 'abort', label: `abort: ${scrubText(entry.reason)}` });
        break;
      case 'revert-all':
        if (entry.failures.length > 0 || !entry.reason.includes('safety net'))
          events.push({ t: at(entry.atMs), kind: 'revert-all', label: `revert all: ${scrubText(entry.reason)}` });
        break;
      case 'note':
        events.push({ t: at(entry.atMs), kind: 'note', label: `note: ${scrubText(entry.text)}` });
        break;
      default:
        break;
    }
  }
  return events.sort((a, b) => a.t - b.t);
}

/** One line per journal entry worth reading in the report's event list; undefined = skip. */
export function describeEntry(entry: JournalEntry): string | undefined {
  switch (entry.type) {
    case 'run-started':
      return `run ${entry.runId} started: ${entry.scenario} on ${entry.environment}`;
    case 'lock-acquired':
      return `lock taken in ${entry.clusters.join(', ')}`;
    case 'lock-lost':
      return `lock LOST in ${entry.cluster}: ${entry.reason}`;
    case 'lock-released':
      return `lock released${entry.problems.length ? `; problems: ${entry.problems.join('; ')}` : ''}`;
    case 'load-started':
      return `load flowing to ${Object.keys(entry.ingresses).join(', ')}`;
    case 'phase-started':
      return `phase ${entry.phase} started`;
    case 'phase-ended':
      return `phase ${entry.phase} ended`;
    case 'fault-applying':
      return `applying ${entry.faultId} (${entry.faultType}) in ${entry.cluster}`;
    case 'mutation-failed':
      return `mutation ${entry.id} failed: ${entry.error}`;
    case 'fault-applied':
      return `${entry.faultId} applied in ${entry.cluster}, effective after ${entry.effectiveAtMs - entry.atMs} ms`;
    case 'fault-failed':
      return `${entry.faultId} failed to ${entry.stage} in ${entry.cluster}: ${entry.error}`;
    case 'mutation-reverted':
      return `undo ${entry.id}: ${entry.outcome.status} (${entry.outcome.detail})`;
    case 'fault-reverted':
      return `${entry.faultId} reverted in ${entry.cluster}${entry.ok ? '' : ' — NOT everything could be undone'}`;
    case 'fault-revert-verified':
      return `${entry.faultId} revert verified in ${entry.cluster}`;
    case 'abort':
      return `ABORT: ${entry.reason}`;
    case 'revert-all':
      return `revert all (${entry.reason}) in ${entry.finishedAtMs - entry.atMs} ms${entry.failures.length ? `; NOT reverted: ${entry.failures.join('; ')}` : ''}`;
    case 'k6-ended':
      return `k6 ${entry.end}`;
    case 'log':
      return entry.level === 'info' ? entry.message : `${entry.level}: ${entry.message}`;
    case 'note':
      return `note${entry.author ? ` by ${entry.author}` : ''}: ${entry.text}`;
    case 'verdict':
      return `verdict ${entry.verdict}: ${entry.summary}`;
    case 'run-ended':
      return `run ended (exit ${entry.exitCode})`;
    case 'mutation-intended':
      return `intended: ${describeMutation(entry.mutation)} (${entry.id})`;
    case 'mutation-done':
      return undefined;
  }
}
