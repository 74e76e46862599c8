/**
 * k6's statistics, the sample rule and relative budgets. Every expected number is worked out
 * by hand from the rule in docs/verdicts.md (shown in the comments), never from the code.
 */
import { expect } from 'chai';
import { measure } from '../../src/budgets/evaluate.js';
import { k6Percentile, RequestStats } from '../../src/budgets/stats.js';
import { parseMetricSelector, parseThreshold } from '../../src/budgets/threshold.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import { budget, requestSample, testLedger } from '../support/ledger-kit.js';

const selector = (text: string) => {
  const parsed = parseMetricSelector(text);
  if (!parsed.ok) throw new Error(`bad selector ${text}`);
  return parsed.value;
};
const threshold = (text: string) => {
  const parsed = parseThreshold(text);
  if (!parsed.ok) throw new Error(`bad threshold ${text}`);
  return parsed.value;
};
const request = (sentMs: number, durationMs: number, failed = false, ingress = 'central') =>
  requestSample(sentMs, durationMs, { failed, ingress });
const repeat = (count: number, value: number) => Array.from({ length: count }, () => value);
const statsOf = (values: number[]) => {
  const stats = new RequestStats();
  values.forEach((v, i) => stats.add(request(i, v) as Extract<LoadSample, { kind: 'request' }>));
  return stats;
};

describe("k6's statistics (percentiles interpolated between closest ranks)", () => {
  it('reproduces the three examples of the issue', () => {
    // [100, 200]: index (2 − 1)·0.5 = 0.5 → 100 + (200 − 100)·0.5 = 150.
    expect(k6Percentile([100, 200], 50)).to.equal(150);
    // 148 × 100 + 2 × 2000, p(99): index 149·0.99 = 147.51; v[147] = 100, v[148] = 2000 → 100 + 1900·0.51 = 1069.
    expect(k6Percentile([...repeat(148, 100), 2000, 2000], 99)).to.be.closeTo(1069, 1e-9);
    // 95 × 100 + 5 × 2000, p(95): index 99·0.95 = 94.05; v[94] = 100, v[95] = 2000 → 100 + 1900·0.05 = 195.
    expect(k6Percentile([...repeat(95, 100), ...repeat(5, 2000)], 95)).to.be.closeTo(195, 1e-9);
    expect(k6Percentile([], 50)).to.equal(null);
    expect(k6Percentile([7], 99)).to.equal(7);
  });

  it('judges the examples with the verdicts k6 gives (values unsorted on arrival)', () => {
    const m99 = measure(
      selector('http_req_duration'),
      threshold('p(99)<1500'),
      statsOf([2000, ...repeat(148, 100), 2000]),
      1000,
    );
    expect(m99).to.include({ pass: true, outcome: 'pass' });
    expect(m99.value).to.be.closeTo(1069, 1e-9);
    const m95 = measure(
      selector('http_req_duration'),
      threshold('p(95)<150'),
      statsOf([...repeat(5, 2000), ...repeat(95, 100)]),
      1000,
    );
    expect(m95).to.include({ pass: false, outcome: 'fail' });
    expect(m95.value).to.be.closeTo(195, 1e-9);
    expect(measure(selector('http_req_duration'), threshold('med<=150'), statsOf([200, 100]), 1000)).to.include({
      value: 150,
      pass: true,
    });
    // avg = (100 + 200 + 600) / 3 = 300; min and max exact.
    const three = statsOf([600, 100, 200]);
    expect(measure(selector('http_req_duration'), threshold('avg<300'), three, 1000)).to.include({
      value: 300,
      pass: false,
    });
    expect(measure(selector('http_req_duration'), threshold('min<101'), three, 1000)).to.include({ value: 100 });
    expect(measure(selector('http_req_duration'), threshold('max<601'), three, 1000)).to.include({ value: 600 });
    // http_reqs rate = 3 requests / 1.5 s = 2 per second.
    expect(measure(selector('http_reqs'), threshold('rate>=2'), three, 1500)).to.include({ value: 2, pass: true });
  });
});

describe('zero requests: a count is a measured 0, a rate has no data', () => {
  it('passes count<10 with 0 and gives no-data for the error rate of an ingress without requests', () => {
    const ledger = testLedger([budget('all', 'http_reqs', 'count<10'), budget('all', 'http_req_failed', 'rate<0.1')], {
      ingresses: ['central', 'west'],
    });
    ledger.startPhase('baseline', 0);
    ledger.add(request(10, 5, false, 'central'));
    ledger.endPhases(1000);
    const west = ledger.verdicts().filter((v) => v.ingress === 'west');
    expect(west.map((v) => [v.budget, v.value, v.outcome, v.pass])).to.deep.equal([
      ['http_reqs: count<10', 0, 'pass', true],
      ['http_req_failed: rate<0.1', null, 'no-data', false],
    ]);
  });
});
