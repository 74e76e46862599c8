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

/** `, per window p=0.21` when the window test ran. */
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

/**
 * `fault p95 +412 ms [398, 431] vs baseline, p<0.001, per window p=0.002: DIFFERS;
 * errors +0.1 pts [-0.2, 0.4], p=0.41: no clear difference`
 */
export function describeComparison(c: ResultComparison): string {
  const parts: string[] = [];
  if (c.latency)
    parts.push(
      withClaim(
        `${formatShift('p95', c.latency.p95)} vs ${c.baseline}, ${formatP(c.latency.pValue)}${windowP(c)}`,
        c.latency,
      ),
    );
  else parts.push(`no latency comparison (${c.samples} vs ${c.baselineSamples} requests)`);
  if (c.errors) parts.push(withClaim(`${formatRateShift(c.errors)}, ${formatP(c.errors.pValue)}`, c.errors));
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
    return `${v.samples} samples, needs ${v.needed} for this percentile`;
  if (!v.baseline) return undefined;
  const relative = /(<=|>=|===|==|!=|<|>)\s*baseline(?:\s*([+*])\s*(-?\d+(?:\.\d+)?))?/.exec(
    splitBudget(v.budget).threshold,
  );
  const base = `${v.baseline.phase} ${formatMeasured(v.budget, v.baseline.value)}`;
  const how = relative?.[2] ? `${base} ${relative[2] === '*' ? '×' : '+'} ${relative[3]}` : base;
  if (v.limit === undefined) return `(${how}): the baseline gives no limit`;
  return `${relative?.[1] ?? ''} ${formatMeasured(v.budget, v.limit)} (${how})`.trim();
}

/** JUnit properties: `comparison.<ingress>.<phase>.p95` and `.errors`, the console's words. */
export function comparisonProperties(comparisons: readonly ResultComparison[] = []): Array<[string, string]> {
  return comparisons.flatMap((c): Array<[string, string]> => {
    const key = `comparison.${c.ingress}.${c.phase}`;
    return [
      ...(c.latency
        ? ([
            [`${key}.p50`, `${formatShift('p50', c.latency.p50)} vs ${c.baseline}, ${formatP(c.latency.pValue)}`],
            [
              `${key}.p95`,
              withClaim(
                `${formatShift('p95', c.latency.p95)} vs ${c.baseline}, ${formatP(c.latency.pValue)}${windowP(c)}`,
                c.latency,
              ),
            ],
          ] as Array<[string, string]>)
        : []),
      ...(c.errors
        ? ([
            [
              `${key}.errors`,
              withClaim(`${formatRateShift(c.errors)} vs ${c.baseline}, ${formatP(c.errors.pValue)}`, c.errors),
            ],
          ] as Array<[string, string]>)
        : []),
    ];
  });
}
