/**
 * Relative budgets (`p(95) < baseline + 50`) are judged against the scenario's first phase (the
 * baseline phase, or the first step): so they may not be budgets of that phase itself, of `all`
 * (which includes it), or abort limits (judged on windows, which have no baseline to refer to).
 */
import { parseThreshold } from '../budgets/threshold.js';
import type { PathSegment } from '../input/yaml-source.js';

type Report = (path: PathSegment[], message: string, hint?: string, at?: 'key' | 'value') => void;
type Loose = Record<string, unknown>;

const loose = (value: unknown): Loose =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};

/** The name of the phase relative budgets refer to: the first step's, or "baseline". */
function baselinePhaseName(raw: Loose): string | undefined {
  if (raw.steps === undefined) return 'baseline';
  const first: unknown = Array.isArray(raw.steps) ? raw.steps[0] : undefined;
  const name = loose(first).name;
  return typeof name === 'string' ? name : undefined;
}

export function checkRelativeBudgets(raw: Loose, report: Report): void {
  const baseline = baselinePhaseName(raw);
  const each = (path: PathSegment[], entries: unknown, why: (text: string) => string | undefined) => {
    for (const [key, thresholds] of Object.entries(loose(entries))) {
      const list = Array.isArray(thresholds) ? thresholds : [thresholds];
      list.forEach((text, index) => {
        const parsed = parseThreshold(text);
        const problem = parsed.ok && parsed.value.relative ? why(String(text)) : undefined;
        if (problem) report(Array.isArray(thresholds) ? [...path, key, index] : [...path, key], problem);
      });
    }
  };
  for (const [phase, entries] of Object.entries(loose(raw.budgets))) {
    if (phase === baseline)
      each(
        ['budgets', phase],
        entries,
        (text) =>
          `"${text}" is relative to the baseline phase "${phase}" itself; give it an absolute threshold here, or move it to a later phase`,
      );
    else if (phase === 'all')
      each(
        ['budgets', phase],
        entries,
        (text) =>
          `"${text}" is relative to the baseline phase${baseline ? ` "${baseline}"` : ''}, which "all" includes; list it under the phases after the baseline`,
      );
  }
  each(
    ['abort'],
    raw.abort,
    (text) =>
      `"${text}": an abort limit is judged on each window and cannot be relative to the baseline; give an absolute threshold`,
  );
}
