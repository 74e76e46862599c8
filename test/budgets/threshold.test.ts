import { expect } from 'chai';
import { checkBudgetEntry, compare, parseMetricSelector, parseThreshold } from '../../src/budgets/threshold.js';

describe('the budget grammar', () => {
  const thresholds: Array<[string, object | undefined]> = [
    ['rate<0.01', { aggregation: { kind: 'rate' }, operator: '<', value: 0.01 }],
    ['p(99.5)<350', { aggregation: { kind: 'percentile', percentile: 99.5 }, operator: '<', value: 350 }],
    ['p(95) <= 200', { aggregation: { kind: 'percentile', percentile: 95 }, operator: '<=', value: 200 }],
    ['avg>=1', { aggregation: { kind: 'avg' }, operator: '>=', value: 1 }],
    ['count==0', { aggregation: { kind: 'count' }, operator: '==', value: 0 }],
    ['med!=3', { aggregation: { kind: 'med' }, operator: '!=', value: 3 }],
    ['p(101)<1', undefined],
    ['p95<350', undefined],
    ['rate<', undefined],
    ['rate<<1', undefined],
    ['foo<1', undefined],
    ['rate<1%', undefined],
  ];
  for (const [text, expected] of thresholds) {
    it(`parses "${text}" ${expected ? 'into its parts' : 'as an error'}`, () => {
      const parsed = parseThreshold(text);
      if (!expected) return expect(parsed.ok).to.equal(false);
      expect(parsed.ok).to.equal(true);
      if (parsed.ok) expect(parsed.value).to.deep.include(expected);
    });
  }

  it('parses tag filters on a metric', () => {
    const parsed = parseMetricSelector('http_req_duration{ingress:central, served_by:"west"}');
    expect(parsed).to.deep.equal({
      ok: true,
      value: {
        source: 'http_req_duration{ingress:central, served_by:"west"}',
        metric: 'http_req_duration',
        kind: 'trend',
        tags: { ingress: 'central', served_by: 'west' },
      },
    });
  });

  it('refuses a tag the harness does not record, and an empty tag value', () => {
    expect(parseMetricSelector('http_reqs{region:x}').ok).to.equal(false);
    expect(parseMetricSelector('http_reqs{ingress:}').ok).to.equal(false);
  });

  it('checks that the aggregation fits the metric kind', () => {
    expect(checkBudgetEntry('http_req_failed', 'rate<0.01')).to.deep.equal([]);
    expect(checkBudgetEntry('http_req_failed', ['rate<0.1', 'p(95)<1']))
      .to.have.length(1)
      .and.to.have.nested.property('[0].index', 1);
    expect(checkBudgetEntry('http_reqs', 'count>10')).to.deep.equal([]);
    expect(checkBudgetEntry('http_req_duration', 'count>10')[0]?.message).to.match(/a trend metric/);
  });

  const comparisons: Array<[number, '<' | '<=' | '>' | '>=' | '==' | '===' | '!=', number, boolean]> = [
    [1, '<', 2, true],
    [2, '<', 2, false],
    [2, '<=', 2, true],
    [3, '>', 2, true],
    [2, '>=', 3, false],
    [2, '==', 2, true],
    [2, '===', 3, false],
    [2, '!=', 3, true],
  ];
  for (const [a, op, b, result] of comparisons) {
    it(`judges ${a} ${op} ${b} as ${result}`, () => expect(compare(a, op, b)).to.equal(result));
  }
});
