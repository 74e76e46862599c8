/** The grammar of time_to_impact / time_to_recover budgets, and a valid scenario using them. */
import { expect } from 'chai';
import { checkBudgetEntry, parseThreshold } from '../../src/budgets/threshold.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';

describe('time_to_impact and time_to_recover in the budget grammar', () => {
  const limits: Array<[string, number]> = [
    ['max<5s', 5000],
    ['value<500ms', 500],
    ['value <= 1m30s', 90_000],
    ['value>-500ms', -500],
    ['max<1.5s', 1500],
    ['max<2000', 2000],
  ];
  for (const [text, ms] of limits)
    it(`reads "${text}" as a limit of ${ms} ms`, () => {
      const parsed = parseThreshold(text);
      expect(parsed.ok && parsed.value.value).to.equal(ms);
    });

  it('accepts value and max, with or without {ingress:…}', () => {
    expect(checkBudgetEntry('time_to_recover', ['max<5s', 'value<5s'])).to.deep.equal([]);
    expect(checkBudgetEntry('time_to_impact{ingress:central}', 'value>-1s')).to.deep.equal([]);
  });

  it('impact_duration is a timing metric placed like time_to_recover (issue 26, item 4)', () => {
    expect(checkBudgetEntry('impact_duration', 'max<1s')).to.deep.equal([]);
    const text = (phase: string) =>
      [
        'name: s',
        'description: d',
        'load: { rate: 1 }',
        'faults: [{ type: scale, cluster: central, name: frontend, replicas: 0 }]',
        `budgets: { ${phase}: { impact_duration: "max<1s" }, ${phase === 'all' ? 'fault' : 'all'}: { http_req_failed: rate<0.5 } }`,
      ].join('\n');
    const lab = { name: 'lab', clusters: ['central', 'west'] };
    for (const phase of ['fault', 'recovery', 'all'])
      expect(() => validateScenario(parseYamlSource('s.yaml', text(phase)), lab), phase).not.to.throw();
    expect(() => validateScenario(parseYamlSource('s.yaml', text('baseline')), lab)).to.throw();
  });

  it('rejects a percentile, avg or a rate: the metric has one value per ingress per run', () => {
    for (const text of ['p(95)<5s', 'avg<5s', 'rate<1'])
      expect(checkBudgetEntry('time_to_recover', text)).to.deep.equal([
        {
          index: undefined,
          at: 'value',
          message: `"${text}" does not apply to time_to_recover, a timing metric: use value or max (one value per ingress per run), as in max<5s`,
        },
      ]);
  });

  it('rejects a relative limit: there is no baseline of a time', () => {
    expect(checkBudgetEntry('time_to_impact', 'max < baseline + 50')[0]?.message).to.equal(
      '"max < baseline + 50": time_to_impact has one value per run and no baseline to be relative to; give a limit such as max<5s',
    );
  });

  it('rejects a unit on any other metric, and `value` on a request metric', () => {
    expect(checkBudgetEntry('http_req_duration', 'p(95)<300ms')[0]?.message).to.match(/a limit with a unit applies/);
    expect(checkBudgetEntry('http_req_duration', 'value<300')[0]?.message).to.equal(
      '"value<300" does not apply to http_req_duration, a trend metric: use p(95), med, avg, min or max',
    );
  });

  it('a scenario with them validates, and their budgets carry the kind and the limit in ms', () => {
    const source = parseYamlSource(
      'timing.yaml',
      [
        'name: timing',
        'description: time budgets',
        'load: { rate: 10 }',
        'faults:',
        '  - { type: istio-abort, cluster: central, host: frontend, status: 503, percentage: 30 }',
        'budgets:',
        '  fault: { http_req_failed: rate<0.5, "time_to_impact{ingress:central}": value<2s }',
        '  recovery: { time_to_recover: max<5s }',
      ].join('\n'),
    );
    const scenario = validateScenario(source, { name: 'lab', clusters: ['central', 'west'] });
    const times = scenario.budgets.filter((b) => b.selector.kind === 'timing');
    expect(times.map((b) => [b.phase, b.selector.metric, b.selector.tags, b.threshold.value])).to.deep.equal([
      ['fault', 'time_to_impact', { ingress: 'central' }, 2000],
      ['recovery', 'time_to_recover', {}, 5000],
    ]);
  });
});
