/**
 * What validation learns from a k6 script's source: its metrics, the tags it sets wherever k6
 * takes them, and its check names. Expectations are read off the scripts by hand.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { packageRoot } from '../../src/input/files.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { readScriptFacts } from '../../src/scenario/script-facts.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { InputError } from '../../src/errors/errors.js';

const journeys = readFileSync(`${packageRoot}/scenarios/load/bank-journeys.ts`, 'utf8');

/** Validate a scenario whose budgets are `budgets`, against `script` as its load script. */
function validateWith(script: string, budgets: Record<string, string>) {
  const source = parseYamlSource(
    'facts.yaml',
    [
      'name: facts',
      'description: budgets on what the script produces',
      'load: { rate: 1, script: ./load/s.ts }',
      'budgets:',
      '  all:',
      ...Object.entries(budgets).map(([key, value]) => `    ${JSON.stringify(key)}: ${value}`),
    ].join('\n'),
  );
  return validateScenario(source, { name: 'lab', clusters: ['central', 'west'] }, () => ({
    path: '/x/load/s.ts',
    text: script,
  }));
}

function problems(script: string, budgets: Record<string, string>): string[] {
  try {
    validateWith(script, budgets);
    return [];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.issues.map((issue) => issue.message);
  }
}

describe('script facts: what a k6 script produces, read from its source', () => {
  it('the shipped journeys: home_ms, five request names, journey set through check() and add(), six checks', () => {
    const facts = readScriptFacts(journeys);
    expect(facts.metrics).to.deep.equal({ home_ms: 'trend' });
    expect(facts.tags.name).to.have.members(['login', 'home', 'payment', 'deposit', 'logout']);
    // `{ journey }` (a variable) next to `{ journey: 'session' }`: set, values not known.
    expect(facts.tags.journey).to.deep.equal([]);
    expect(facts.checks).to.have.members([
      'logged in',
      'home is 200',
      'balance shown',
      'transactions shown',
      'payment accepted',
      'deposit accepted',
    ]);
  });

  it('budgets on the journey tag and on a check by name validate against the shipped script', () => {
    const scenario = validateWith(journeys, {
      'checks{journey:session}': 'rate>0.9',
      'home_ms{journey:browse}': 'p(95)<800',
      'checks{check:balance shown}': 'rate>0.99',
    });
    expect(scenario.budgets.map((budget) => budget.selector.tags)).to.deep.equal([
      { journey: 'session' },
      { journey: 'browse' },
      { check: 'balance shown' },
    ]);
  });

  it('tags from every place k6 takes them; literal values are listed, others leave the values open', () => {
    const facts = readScriptFacts(`
      import { check } from 'k6';
      import exec from 'k6/execution';
      import { Counter, Rate, Gauge } from 'k6/metrics';
      const pays = new Counter('payments');
      const ok = new Rate("pay_ok");
      const depth = new Gauge('queue_depth');
      export const options = { scenarios: { s: { executor: 'shared-iterations', tags: { team: 'bank' } } } };
      export default function () {
        exec.vu.metrics.tags.flow = 'pay';
        exec.vu.metrics.tags['tier'] = 'gold';
        pays.add(1, { currency: 'EUR' });
        ok.add(true, { currency: 'USD' });
        const label = String(Math.random());
        check(null, { [label]: () => true }, { step: label });
      }
    `);
    expect(facts.metrics).to.deep.equal({ payments: 'counter', pay_ok: 'rate' });
    expect(facts.gauges).to.deep.equal(['queue_depth']);
    expect(facts.tags).to.deep.equal({
      team: ['bank'],
      flow: ['pay'],
      tier: ['gold'],
      currency: ['EUR', 'USD'],
      step: [],
    });
    // A computed check name: any check name is accepted.
    expect(facts.checks).to.equal(undefined);
  });

  it('names in comments and strings are not facts', () => {
    const facts = readScriptFacts(`
      // new Trend('commented_ms'); check(r, { 'commented': () => true });
      const text = "tags: { ghost: 'x' }";
      export default function () {}
    `);
    expect(facts.metrics).to.deep.equal({});
    expect(facts.tags).to.deep.equal({});
    expect(facts.checks).to.deep.equal([]);
  });

  it('a check the script never makes, and a tag value it never sets, are named', () => {
    const script = `
      import { check } from 'k6';
      export default function () {
        check(null, { 'home is 200': () => true }, { journey: 'browse' });
      }`;
    expect(problems(script, { 'checks{check:home is 2OO}': 'rate>0.99' })).to.deep.equal(
      ['a check the script makes (home is 200); it has no check "home is 2OO"'].map(
        (text) => `expected ${text} (got "checks{check:home is 2OO}")`,
      ),
    );
    expect(problems(script, { 'checks{journey:pay}': 'rate>0.99' })).to.have.length(1);
    expect(problems(script, { 'checks{journey:browse}': 'rate>0.99' })).to.deep.equal([]);
  });
});

describe('script facts: where requests go', () => {
  it('finds the full URLs requests are sent to (literal, template, sum) and the harness env read at the top level', () => {
    const facts = readScriptFacts(
      [
        "import http from 'k6/http';",
        'const base = __ENV.BASE_URL;',
        'export default function () {',
        "  http.get('https://shop.example/cart');",
        '  http.post(`http://api.example:8080/${__ENV.X}`, {});',
        "  http.request('PUT', 'http://a.example' + '/b', null);",
        '  http.get(`${__ENV.BASE_URL}/home`, { headers: { Host: __ENV.HOST } });',
        "  http.get('/relative');",
        "  console.log('http://not.a.request');",
        '}',
        'export function setup() { return __ENV.CHAOS_INGRESS; }',
        "const host = __ENV['HOST'], other = __ENV.OTHER;",
      ].join('\n'),
    );
    expect(facts.requestUrls).to.deep.equal([
      { text: 'https://shop.example/cart', line: 4 },
      { text: 'http://api.example:8080/', line: 5 },
      { text: 'http://a.example', line: 6 },
    ]);
    // Element access (__ENV['HOST']) is not read: only the property form the harness documents.
    expect(facts.topLevelEnv).to.deep.equal([{ text: 'BASE_URL', line: 2 }]);
  });
});
