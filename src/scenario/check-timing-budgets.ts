/**
 * `time_to_impact` and `time_to_recover` budgets (one value per ingress per run, judged after
 * it) go under the phase their timing belongs to, or `all`: time to impact under the first phase
 * with faults (it is timed from that phase's converged apply); time to recover under the last
 * phase with faults (timed from its converged revert) or the phase right after it. They are no
 * abort limit: there is no value until the revert. docs/verdicts.md has the rule.
 */
import { isTimingMetric, parseMetricSelector } from '../budgets/threshold.js';
import type { PathSegment } from '../input/yaml-source.js';

type Report = (path: PathSegment[], message: string, hint?: string, at?: 'key' | 'value') => void;
type Loose = Record<string, unknown>;

const loose = (value: unknown): Loose =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Phase names in order, and which of them apply faults. */
function phasesOf(raw: Loose): Array<{ name: string; faulted: boolean }> {
  if (raw.steps === undefined)
    return [
      { name: 'baseline', faulted: false },
      { name: 'fault', faulted: list(raw.faults).length > 0 },
      { name: 'recovery', faulted: false },
    ];
  return list(raw.steps)
    .map(loose)
    .filter((step) => typeof step.name === 'string')
    .map((step) => ({ name: step.name as string, faulted: list(step.faults).length > 0 }));
}

/** The phases a timing budget may name (besides `all`). */
function timingPhases(
  metric: 'time_to_impact' | 'time_to_recover',
  phases: readonly string[],
  faulted: readonly boolean[],
): string[] {
  const first = faulted.indexOf(true);
  const last = faulted.lastIndexOf(true);
  if (first < 0) return [];
  if (metric === 'time_to_impact') return [phases[first]!];
  return phases.slice(last, last + 2);
}

export function checkTimingBudgets(raw: Loose, report: Report): void {
  const phases = phasesOf(raw);
  const names = phases.map((phase) => phase.name);
  const faulted = phases.map((phase) => phase.faulted);
  for (const [phase, entries] of Object.entries(loose(raw.budgets))) {
    if (phase !== 'all' && !names.includes(phase)) continue; // an unknown phase is reported elsewhere
    for (const key of Object.keys(loose(entries))) {
      const selector = parseMetricSelector(key, undefined, true);
      if (!selector.ok || !isTimingMetric(selector.value.metric)) continue;
      const metric = selector.value.metric;
      const allowed = timingPhases(metric, names, faulted);
      if (allowed.length === 0) {
        report(
          ['budgets', phase, key],
          `${metric} needs a phase that applies a fault; this scenario has none`,
          undefined,
          'key',
        );
        continue;
      }
      if (phase === 'all' || allowed.includes(phase)) continue;
      const from = metric === 'time_to_impact' ? 'apply' : 'revert';
      report(
        ['budgets', phase, key],
        `${metric} is timed from the ${from} of phase "${allowed[0]}", not in phase "${phase}"; expected it under ${[...allowed, 'all'].join(', ')}`,
        `move it: budgets: { ${allowed.at(-1)}: { ${metric}: "max<5s" } }`,
        'key',
      );
    }
  }
  for (const key of Object.keys(loose(raw.abort))) {
    const selector = parseMetricSelector(key, undefined, true);
    if (selector.ok && isTimingMetric(selector.value.metric))
      report(
        ['abort', key],
        `${selector.value.metric} cannot be an abort limit: it has one value per ingress, known only after the revert`,
        'make it a budget of the phase with faults, or use http_req_failed / http_req_duration as the abort limit',
        'key',
      );
  }
}
