/** The HTML report's table of each later phase compared with the baseline (compare.ts). Pure. */
import { escapeHtml as e } from './html-page.js';
import { claimWord, formatP, formatRateShift, formatShift } from './format-comparison.js';
import type { RunResult } from './result-schema.js';

export function comparisonTable(result: RunResult): string {
  const comparisons = result.comparisons ?? [];
  if (comparisons.length === 0) return '<p class="muted">No phase after the baseline to compare.</p>';
  const rows = comparisons.map((c) => {
    const windowP = c.latency?.windowPValue;
    const latency = c.latency
      ? `<td class="num">${e(formatShift('', c.latency.p50).trim())}</td><td class="num">${e(formatShift('', c.latency.p95).trim())}</td>` +
        `<td class="num">${e(formatP(c.latency.pValue))}${windowP === undefined || windowP === null ? '' : `; per window ${e(formatP(windowP))}`}</td>` +
        `<td>${e(claimWord(c.latency))}</td>`
      : '<td class="num" colspan="4">no requests to compare</td>';
    const errors = c.errors
      ? `<td class="num">${e(formatRateShift(c.errors).replace(/^errors /, ''))}</td><td class="num">${e(formatP(c.errors.pValue))}</td><td>${e(claimWord(c.errors))}</td>`
      : '<td class="num" colspan="3">-</td>';
    return `<tr><td>${e(c.phase)}</td><td>${e(c.ingress)}</td><td class="num">${c.samples} / ${c.baselineSamples}</td>${latency}${errors}</tr>`;
  });
  const head =
    '<tr><th>phase</th><th>ingress</th><th class="num">requests / baseline</th><th class="num">p50 shift [95 %]</th>' +
    '<th class="num">p95 shift [95 %]</th><th class="num">rank test</th><th>latency</th>' +
    '<th class="num">error rate shift [95 %]</th><th class="num">z-test</th><th>errors</th></tr>';
  return [
    `<p class="muted">Each phase against ${e(comparisons[0]!.baseline)} on the same ingress: shifts with bootstrap 95 % intervals, Mann-Whitney U and two-proportion z-test p-values; a difference is claimed (DIFFERS) only when the per-window test is clear and the shift exceeds what an unchanged system drifts (docs/verdicts.md).</p>`,
    `<table><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
}
