/**
 * How reports write the baseline comparison and the verdict details of issue 16 (outcome words,
 * resolved relative limits, samples needed): the same words in the console, JUnit, HTML. Pure.
 */
import type { ResultComparison, ResultVerdict } from './result-schema.js';
import { formatMeasured, splitBudget } from './format-values.js';

/** `p<0.001`, `p=0.023`, `p=0.41`. */
export function formatP(p: number): string {
  if (p < 0.001) return 'p<0.001';
  return p < 0.1 ? `p=${p.toFixed(3)}` : `p=${p.toFixed(2)}`;
}

const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const digitsFor = (values: number[]) => (Math.max(...values.map(Math.abs)) >= 100 ? 0 : 1);

/** `p95 +412 ms [398, 431]` */
export function formatShift(name: string, shift: { shift: number; low: number; high: number }): string {
  const d = digitsFor([shift.shift, shift.low, shift.high]);
  return `${name} ${signed(shift.shift, d)} ms [${shift.low.toFixed(d)}, ${shift.high.toFixed(d)}]`;
}

/** `errors +29.8 pts [27.1, 32.5]` (percentage points). */
export function formatRateShift(errors: NonNullable<ResultComparison['errors']>): string {
  const pts = (v: number) => (v * 100).toFixed(1);
  return `errors ${signed(errors.difference * 100, 1)} pts [${pts(errors.low)}, ${pts(errors.high)}]`;
}

/** `, per window p=0.21` when the window test ran (results written before the per-window p95 test). */
function windowP(c: ResultComparison): string {
  const p = c.latency?.windowPValue;
  return p === undefined || p === null ? '' : `, per window ${formatP(p)}`;
}

/** The claim's word: `DIFFERS`, `no clear difference`; '' for results written before the claim. */
export function claimWord(part: { differs?: boolean } | null | undefined): string {
  if (part?.differs === undefined) return '';
  return part.differs ? 'DIFFERS' : 'no clear difference';
}

const withClaim = (text: string, part: { differs?: boolean } | null) => {
  const word = claimWord(part);
  return word ? `${text}: ${word}` : text;
};

/** `slower`, `faster`, `unchanged` (latency); `more errors`, `fewer errors`, `same error rate`. */
export function direction(kind: 'latency' | 'errors', shift: number): string {
  if (kind === 'latency') return shift > 0 ? 'slower' : shift < 0 ? 'faster' : 'unchanged';
  return shift > 0 ? 'more errors' : shift < 0 ? 'fewer errors' : 'same error rate';
}

type Latency = NonNullable<ResultComparison['latency']>;

/** The statistic the latency line shows and judges: p50 when only it carries the claim, else p95. */
export function claimedStatistic(latency: Latency): 'p50' | 'p95' {
  const by = latency.differsBy ?? [];
  return by.includes('p50') && !by.includes('p95') ? 'p50' : 'p95';
}

/**
 * `p95 +193 ms, slower; per-window p95s p=0.10: no clear difference (per request, not
 * calibrated: [190, 199], p<0.001)` — the shift printed is of the statistic the window test
 * judged; the request-level interval and p, which the A/A calibration does not cover, say so.
 */
function describeLatency(c: ResultComparison, latency: Latency): string {
  if (latency.windowP95PValue === undefined)
    return withClaim(
      `${formatShift('p95', latency.p95)} vs ${c.baseline}, ${formatP(latency.pValue)}${windowP(c)}`,
      latency,
    );
  const stat = claimedStatistic(latency);
  const shift = latency[stat];
  const d = digitsFor([shift.shift, shift.low, shift.high]);
  const p = stat === 'p50' ? latency.windowPValue : latency.windowP95PValue;
  const test = `per-window ${stat === 'p50' ? 'medians' : 'p95s'} ${p === null || p === undefined ? 'untested (fewer than 3 windows a side)' : formatP(p)}`;
  const uncalibrated = `(per request, not calibrated: [${shift.low.toFixed(d)}, ${shift.high.toFixed(d)}], ${formatP(latency.pValue)})`;
  return `${withClaim(`${stat} ${signed(shift.shift, d)} ms ${direction('latency', shift.shift)} vs ${c.baseline}; ${test}`, latency)} ${uncalibrated}`;
}

/** `errors +29.8 pts [27.1, 32.5] more errors, p<0.001: DIFFERS` */
function describeErrors(errors: NonNullable<ResultComparison['errors']>): string {
  return withClaim(
    `${formatRateShift(errors)} ${direction('errors', errors.difference)}, ${formatP(errors.pValue)}`,
    errors,
  );
}

/**
 * `fault p95 +412 ms slower vs baseline; per-window p95s p<0.001: DIFFERS (per request, not
 * calibrated: [398, 431], p<0.001); errors +29.8 pts [27.1, 32.5] more errors, p<0.001: DIFFERS`
 */
export function describeComparison(c: ResultComparison): string {
  const parts: string[] = [];
  if (c.latency) parts.push(describeLatency(c, c.latency));
  else parts.push(`no latency comparison (${c.samples} vs ${c.baselineSamples} requests)`);
  if (c.errors) parts.push(describeErrors(c.errors));
  return `${c.phase} ${parts.join('; ')}`;
}

/** The verdict's word: pass, FAIL, NO DATA, INCONCLUSIVE (older results: from `pass`). */
export function outcomeWord(v: Pick<ResultVerdict, 'pass' | 'outcome' | 'value'>): string {
  const outcome = v.outcome ?? (v.pass ? 'pass' : v.value === null ? 'no-data' : 'fail');
  return outcome === 'pass' ? 'pass' : outcome === 'no-data' ? 'NO DATA' : outcome.toUpperCase();
}

/**
 * What the verdict was judged against, when it is not plain from the budget: a relative limit
 * resolved (`< 162 ms (baseline 112 + 50)`), or the samples an inconclusive percentile needs.
 */
export function verdictNote(v: ResultVerdict): string | undefined {
  if (v.outcome === 'inconclusive' && v.needed !== undefined)
    return `${v.samples} samples, needs ${v.needed} for this ${/^\s*rate/.test(splitBudget(v.budget).threshold) ? 'rate' : 'percentile'}`;
  if (!v.baseline) return undefined;
  const relative = /(<=|>=|===|==|!=|<|>)\s*baseline(?:\s*([+*])\s*(-?\d+(?:\.\d+)?))?/.exec(
    splitBudget(v.budget).threshold,
  );
  const base = `${v.baseline.phase} ${formatMeasured(v.budget, v.baseline.value)}`;
  const how = relative?.[2] ? `${base} ${relative[2] === '*' ? '×' : '+'} ${relative[3]}` : base;
  if (v.limit === undefined) return `(${how}): the baseline gives no limit`;
  return `${relative?.[1] ?? ''} ${formatMeasured(v.budget, v.limit)} (${how})`.trim();
}

/** JUnit properties: `comparison.<ingress>.<phase>.p50`, `.p95` and `.errors`, the console's words. */
export function comparisonProperties(comparisons: readonly ResultComparison[] = []): Array<[string, string]> {
  return comparisons.flatMap((c): Array<[string, string]> => {
    const key = `comparison.${c.ingress}.${c.phase}`;
    const latency = c.latency;
    return [
      ...(latency
        ? ([
            [`${key}.p50`, `${formatShift('p50', latency.p50)} vs ${c.baseline}, ${formatP(latency.pValue)}`],
            [`${key}.p95`, describeLatency(c, latency)],
          ] as Array<[string, string]>)
        : []),
      ...(c.errors
        ? ([[`${key}.errors`, `${describeErrors(c.errors)} (vs ${c.baseline})`]] as Array<[string, string]>)
        : []),
    ];
  });
}
