/** The words reports use for comparisons and verdict details: written out by hand from the format. */
import { expect } from 'chai';
import {
  comparisonProperties,
  describeComparison,
  outcomeWord,
  verdictNote,
} from '../../src/report/format-comparison.js';
import { comparisonTable } from '../../src/report/render-comparisons.js';
import type { ResultComparison, ResultVerdict, RunResult } from '../../src/report/result-schema.js';

const comparison: ResultComparison = {
  phase: 'fault',
  ingress: 'central',
  baseline: 'baseline',
  samples: 600,
  baselineSamples: 300,
  latency: {
    pValue: 0.0001,
    p50: { baseline: 40, value: 45.5, shift: 5.5, low: 4.25, high: 6.75 },
    p95: { baseline: 112, value: 524, shift: 412, low: 398, high: 431 },
  },
  errors: { baselineRate: 0.001, rate: 0.299, difference: 0.298, low: 0.271, high: 0.325, pValue: 1e-9 },
};

describe('how reports write comparisons and verdict details', () => {
  it('one console line per comparison, as the issue writes it', () => {
    // A result written before the per-window p95 test keeps its latency words; errors say their direction.
    expect(describeComparison(comparison)).to.equal(
      'fault p95 +412 ms [398, 431] vs baseline, p<0.001; errors +29.8 pts [27.1, 32.5] more errors, p<0.001',
    );
    expect(describeComparison({ ...comparison, latency: { ...comparison.latency!, windowPValue: 0.214 } })).to.equal(
      'fault p95 +412 ms [398, 431] vs baseline, p<0.001, per window p=0.21; errors +29.8 pts [27.1, 32.5] more errors, p<0.001',
    );
    expect(describeComparison({ ...comparison, latency: null, errors: null, samples: 0 })).to.equal(
      'fault no latency comparison (0 vs 300 requests)',
    );
  });

  it('the claim is the last word of each part: DIFFERS or no clear difference (none in older results)', () => {
    const claimed: ResultComparison = {
      ...comparison,
      latency: { ...comparison.latency!, windowPValue: 0.002, differs: true, tolerance: { p50: 10, p95: 28 } },
      errors: { ...comparison.errors!, differs: false, tolerance: 0.005 },
    };
    expect(describeComparison(claimed)).to.equal(
      'fault p95 +412 ms [398, 431] vs baseline, p<0.001, per window p=0.002: DIFFERS; ' +
        'errors +29.8 pts [27.1, 32.5] more errors, p<0.001: no clear difference',
    );
    expect(comparisonProperties([claimed]).map(([, value]) => value.split(': ')[1] ?? '')).to.deep.equal([
      '',
      'DIFFERS',
      'no clear difference (vs baseline)',
    ]);
    const html = comparisonTable({ comparisons: [claimed] } as unknown as RunResult);
    expect(html).to.include('<td>DIFFERS (p95, slower)</td>');
    expect(html).to.include('<td>no clear difference</td>');
  });

  it('the latency line prints the statistic its per-window test judged, its direction, and marks request-level numbers (issue 26, items 6 and 7)', () => {
    const current: ResultComparison = {
      ...comparison,
      latency: {
        ...comparison.latency!,
        windowPValue: 0.1,
        windowP95PValue: 0.0004,
        differs: true,
        differsBy: ['p95'],
        tolerance: { p50: 10, p95: 28 },
      },
      errors: { ...comparison.errors!, differs: true, tolerance: 0.005 },
    };
    expect(describeComparison(current)).to.equal(
      'fault p95 +412 ms slower vs baseline; per-window p95s p<0.001: DIFFERS (per request, not calibrated: [398, 431], p<0.001); ' +
        'errors +29.8 pts [27.1, 32.5] more errors, p<0.001: DIFFERS',
    );
    // Claimed by the medians alone: the line shows the p50 shift and the medians' test.
    const byMedian: ResultComparison = {
      ...current,
      latency: { ...current.latency!, windowPValue: 0.002, windowP95PValue: 0.3, differsBy: ['p50'] },
    };
    expect(describeComparison(byMedian).split('; errors')[0]).to.equal(
      'fault p50 +5.5 ms slower vs baseline; per-window medians p=0.002: DIFFERS (per request, not calibrated: [4.3, 6.8], p<0.001)',
    );
    const faster: ResultComparison = {
      ...current,
      latency: {
        ...current.latency!,
        p95: { baseline: 112, value: 100, shift: -12, low: -15, high: -9 },
        differs: false,
        differsBy: [],
      },
      errors: {
        ...comparison.errors!,
        rate: 0,
        difference: -0.001,
        low: -0.005,
        high: 0.002,
        pValue: 1,
        differs: false,
      },
    };
    expect(describeComparison(faster)).to.equal(
      'fault p95 -12.0 ms faster vs baseline; per-window p95s p<0.001: no clear difference (per request, not calibrated: [-15.0, -9.0], p<0.001); ' +
        'errors -0.1 pts [-0.5, 0.2] fewer errors, p=1.00: no clear difference',
    );
  });

  it('JUnit properties per ingress and phase', () => {
    expect(comparisonProperties([comparison])).to.deep.equal([
      ['comparison.central.fault.p50', 'p50 +5.5 ms [4.3, 6.8] vs baseline, p<0.001'],
      ['comparison.central.fault.p95', 'p95 +412 ms [398, 431] vs baseline, p<0.001'],
      ['comparison.central.fault.errors', 'errors +29.8 pts [27.1, 32.5] more errors, p<0.001 (vs baseline)'],
    ]);
  });

  it('a relative verdict shows its resolved limit; an inconclusive one the samples it needs', () => {
    const relative: ResultVerdict = {
      phase: 'fault',
      ingress: 'central',
      budget: 'http_req_duration: p(95) < baseline + 50',
      value: 170,
      samples: 600,
      pass: false,
      outcome: 'fail',
      limit: 162,
      baseline: { phase: 'baseline', value: 112 },
    };
    expect(verdictNote(relative)).to.equal('< 162 ms (baseline 112 ms + 50)');
    expect(verdictNote({ ...relative, budget: 'http_req_duration: p(95)<=baseline*1.2', limit: 134.4 })).to.equal(
      '<= 134 ms (baseline 112 ms × 1.2)',
    );
    const thin = {
      ...relative,
      budget: 'http_req_duration: p(99.5)<300',
      samples: 40,
      outcome: 'inconclusive' as const,
    };
    expect(verdictNote({ ...thin, baseline: undefined, needed: 2000 })).to.equal(
      '40 samples, needs 2000 for this percentile',
    );
    expect(outcomeWord(thin)).to.equal('INCONCLUSIVE');
    expect(outcomeWord({ pass: false, value: null })).to.equal('NO DATA');
    expect(verdictNote({ ...relative, outcome: 'pass', baseline: undefined, limit: 300 })).to.equal(undefined);
  });

  it('the HTML table has a row per comparison with its intervals and p-values', () => {
    const html = comparisonTable({ comparisons: [comparison] } as RunResult);
    expect(html).to.include('<td>fault</td><td>central</td><td class="num">600 / 300</td>');
    expect(html).to.include('+412 ms [398, 431]');
    expect(html).to.include('+29.8 pts [27.1, 32.5]');
    expect(comparisonTable({ comparisons: [] } as unknown as RunResult)).to.include('No phase after the baseline');
  });
});
