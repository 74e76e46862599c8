/** The HTML report's table of each later phase compared with the baseline (compare.ts). Pure. */
import { escapeHtml as e } from './html-page.js';
import { claimWord, claimedStatistic, direction, formatP, formatRateShift, formatShift } from './format-comparison.js';
import type { RunResult } from './result-schema.js';

export function comparisonTable(result: RunResult): string {
  const comparisons = result.comparisons ?? [];
  if (comparisons.length === 0) return '<p class="muted">No phase after the baseline to compare.</p>';
  const rows = comparisons.map((c) => {
    const p = (value: number | null | undefined) => (value === undefined || value === null ? '-' : formatP(value));
    const l = c.latency;
    const latency = l
      ? `<td class="num">${e(formatShift('', l.p50).trim())}</td><td class="num">${e(formatShift('', l.p95).trim())}</td>` +
        `<td class="num">${e(p(l.windowPValue))}; ${e(p(l.windowP95PValue))}</td><td class="num">${e(formatP(l.pValue))}</td>` +
        `<td>${e(latencyClaim(l))}</td>`
      : '<td class="num" colspan="5">no requests to compare</td>';
    const errors = c.errors
      ? `<td class="num">${e(formatRateShift(c.errors).replace(/^errors /, ''))}</td><td class="num">${e(formatP(c.errors.pValue))}</td><td>${e(errorClaim(c.errors))}</td>`
      : '<td class="num" colspan="3">-</td>';
    return `<tr><td>${e(c.phase)}</td><td>${e(c.ingress)}</td><td class="num">${c.samples} / ${c.baselineSamples}</td>${latency}${errors}</tr>`;
  });
  const head =
    '<tr><th>phase</th><th>ingress</th><th class="num">requests / baseline</th><th class="num">p50 shift [95 %]*</th>' +
    '<th class="num">p95 shift [95 %]*</th><th class="num">per window p (medians; p95s)</th><th class="num">per request p*</th><th>latency</th>' +
    '<th class="num">error rate shift [95 %]</th><th class="num">exact p</th><th>errors</th></tr>';
  return [
    `<p class="muted">Each phase against ${e(comparisons[0]!.baseline)} on the same ingress. A latency difference is claimed (DIFFERS) only when the rank test of that statistic per window (each window's median for p50, its p95 for p95; windows by send time inside each phase) is clear and the shift exceeds what an unchanged system drifts; errors: Fisher's exact test and a Newcombe interval (docs/verdicts.md). * Request-level numbers (bootstrap intervals, the per-request rank test) are not calibrated by the A/A bench: requests of one phase are not independent.</p>`,
    `<table><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
}

/** `DIFFERS (p95, slower)`, `no clear difference`. */
function latencyClaim(latency: NonNullable<RunResult['comparisons']>[number]['latency'] & object): string {
  const word = claimWord(latency);
  if (!latency.differs) return word;
  const stat = claimedStatistic(latency);
  return `${word} (${(latency.differsBy ?? [stat]).join(', ')}, ${direction('latency', latency[stat].shift)})`;
}

function errorClaim(errors: NonNullable<NonNullable<RunResult['comparisons']>[number]['errors']>): string {
  const word = claimWord(errors);
  return errors.differs ? `${word} (${direction('errors', errors.difference)})` : word;
}
