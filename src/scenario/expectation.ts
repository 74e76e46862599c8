/**
 * What a scenario expects, and that it has something to judge: a scenario without budgets would
 * pass by saying nothing, and a negative control's named budgets must be budgets it declares.
 */
import type { PathSegment } from '../input/yaml-source.js';
import { parseMetricSelector } from '../budgets/threshold.js';

type Report = (path: PathSegment[], message: string, hint?: string, at?: 'key' | 'value') => void;

function loose(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The scenario's phase names: its steps', or its phases' (baseline, fault, recovery). */
function phaseNames(raw: Record<string, unknown>): string[] {
  if (Array.isArray(raw.steps))
    return raw.steps.flatMap((step) => (typeof loose(step).name === 'string' ? [loose(step).name as string] : []));
  const phases = Object.keys(loose(raw.phases));
  return phases.length > 0 ? phases : ['baseline', 'fault', 'recovery'];
}

/**
 * Budgets declared, as "<phase>: <metric as written>" (tags included). A budget under `all` is
 * each phase's too ("fault: http_req_failed"), and "all: <metric>" names it in any phase with faults.
 */
function declaredBudgets(raw: Record<string, unknown>): string[] {
  const names = phaseNames(raw);
  return Object.entries(loose(raw.budgets)).flatMap(([phase, entries]) =>
    Object.keys(loose(entries)).flatMap((metric) =>
      (phase === 'all' ? ['all', ...names] : [phase]).map((name) => `${name}: ${metric.trim()}`),
    ),
  );
}

export function checkExpectation(raw: Record<string, unknown>, report: Report): void {
  const declared = declaredBudgets(raw);
  if (declared.length === 0)
    report(
      raw.budgets === undefined ? [] : ['budgets'],
      'expected at least one budget: a scenario with none has nothing to judge and would pass whatever happened',
      'add budgets: { fault: { http_req_failed: "rate<0.01" } }, per phase',
      'key',
    );
  const named = loose(raw.expect).fail;
  if (!Array.isArray(named)) return;
  named.forEach((entry, index) => {
    if (typeof entry !== 'string') return;
    const [phase = '', ...rest] = entry.split(':');
    const metric = rest.join(':').trim();
    const selector = parseMetricSelector(metric, undefined, true);
    const wanted = `${phase.trim()}: ${selector.ok ? selector.value.source : metric}`;
    if (declared.includes(wanted)) return;
    report(
      ['expect', 'fail', index],
      `expected "<phase>: <metric>" naming a budget of this scenario (got "${entry}")`,
      declared.length > 0 ? `declared: ${declared.join(', ')}` : undefined,
    );
  });
}

export function normalizeExpectation(expect: 'pass' | 'fail' | { fail: string[] }): {
  expect: 'pass' | 'fail';
  expectFail: string[];
} {
  if (typeof expect === 'string') return { expect, expectFail: [] };
  return { expect: 'fail', expectFail: expect.fail.map((entry) => entry.replace(/\s*:\s*/, ': ').trim()) };
}
