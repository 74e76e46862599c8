/**
 * Budgets on what a user script produces: k6 checks, its own Trend, Rate and Counter, and
 * filters on the request name and on the script's own tags — judged per phase and ingress.
 */
import { expect } from 'chai';
import { Ledger } from '../../src/budgets/ledger.js';
import { parseMetricSelector, parseThreshold, type ScriptFacts } from '../../src/budgets/threshold.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import type { Budget } from '../../src/budgets/budget.js';
import { testLedger } from '../support/ledger-kit.js';

const facts: ScriptFacts = {
  metrics: { home_ms: 'trend', logins_ok: 'rate', payments: 'counter' },
  tags: { name: ['home', 'login'], journey: ['browse', 'session'] },
};

const budget = (selector: string, threshold: string): Budget => {
  const s = parseMetricSelector(selector, facts);
  const t = parseThreshold(threshold);
  if (!s.ok || !t.ok) throw new Error(`bad test budget ${selector}`);
  return { phase: 'all', selector: s.value, threshold: t.value };
};

const ledgerWith = (budgets: Budget[]) => {
  const ledger = testLedger(budgets, { ingresses: ['central', 'west'] });
  ledger.startPhase('baseline', 0);
  return ledger;
};

const check = (timeMs: number, ingress: string, name: string, passed: boolean, journey = 'browse'): LoadSample => ({
  kind: 'check',
  timeMs,
  ingress,
  check: name,
  passed,
  tags: { journey },
});
const value = (timeMs: number, ingress: string, metric: string, v: number, journey = 'browse'): LoadSample => ({
  kind: 'metric',
  timeMs,
  ingress,
  metric,
  value: v,
  tags: { journey },
});
const request = (timeMs: number, ingress: string, name: string, durationMs: number, journey?: string): LoadSample => ({
  kind: 'request',
  timeMs: timeMs + durationMs,
  sentMs: timeMs,
  reached: true,
  ingress,
  servedBy: ingress,
  status: 200,
  path: `/${name}`,
  failed: false,
  durationMs,
  name,
  ...(journey ? { tags: { journey } } : {}),
});

const verdict = (ledger: Ledger, ingress: string, source: string) =>
  ledger.verdicts().find((v) => v.ingress === ingress && v.budget.startsWith(`${source}:`));

describe('budgets on a user script (checks, custom metrics, name and script tags)', () => {
  it('checks: the share of passed conditions, per ingress, optionally of one check or one journey', () => {
    const ledger = ledgerWith([
      budget('checks', 'rate>0.99'),
      budget('checks{check:balance shown}', 'rate>=0.5'),
      budget('checks{journey:session}', 'rate==1'),
    ]);
    // central: 3 of 4 conditions pass (the balance check fails once); west: all pass.
    ledger.add(check(100, 'central', 'balance shown', true));
    ledger.add(check(200, 'central', 'balance shown', false));
    ledger.add(check(300, 'central', 'home is 200', true));
    ledger.add(check(400, 'central', 'home is 200', true, 'session'));
    ledger.add(check(100, 'west', 'balance shown', true));
    ledger.endPhases(1000);
    // A breach the 4 samples prove: P(at most 3 of 4 pass | 0.99) = 1 − 0.99⁴ = 0.039 < 0.05.
    expect(verdict(ledger, 'central', 'checks')).to.include({ value: 0.75, pass: false, samples: 4, outcome: 'fail' });
    // Rates need samples (rate>0.99: 299; rate>=0.5: 0.5⁵ < 0.05 → 5): 1 and 2 are too few to pass.
    expect(verdict(ledger, 'west', 'checks')).to.include({
      value: 1,
      outcome: 'inconclusive',
      samples: 1,
      needed: 299,
    });
    expect(verdict(ledger, 'central', 'checks{check:balance shown}')).to.include({
      value: 0.5,
      outcome: 'inconclusive',
      samples: 2,
      needed: 5,
    });
    expect(verdict(ledger, 'central', 'checks{journey:session}')).to.include({ value: 1, pass: true, samples: 1 });
  });

  const failed = (limit: number) => ({ outcome: 'fail', limit });

  it("a script's Trend, Rate and Counter are judged with k6's aggregations", () => {
    const ledger = ledgerWith([
      budget('home_ms', 'med<=150'),
      budget('home_ms{journey:session}', 'max<1000'),
      budget('logins_ok', 'rate>0.6'),
      budget('payments', 'count>=5'),
      budget('payments', 'rate>=2'),
    ]);
    // k6's med of [100, 200] is 150 (linear interpolation between closest ranks).
    ledger.add(value(10, 'central', 'home_ms', 100));
    ledger.add(value(20, 'central', 'home_ms', 200));
    ledger.add(value(30, 'central', 'home_ms', 1500, 'session'));
    ledger.add(value(40, 'central', 'logins_ok', 1));
    ledger.add(value(50, 'central', 'logins_ok', 0));
    ledger.add(value(60, 'central', 'logins_ok', 1));
    ledger.add(value(70, 'central', 'payments', 2));
    ledger.add(value(80, 'central', 'payments', 1));
    ledger.endPhases(2000);
    expect(verdict(ledger, 'central', 'home_ms{journey:session}')).to.include({ value: 1500, pass: false });
    const med = verdict(ledger, 'central', 'home_ms')!;
    // Three values (100, 200, 1500): their median is 200 exactly; three values cannot carry a
    // median claim (20 are needed: 10 on each side), so the verdict is inconclusive, not a pass.
    expect(med).to.include({ value: 200, pass: false, outcome: 'inconclusive', needed: 20 });
    expect(verdict(ledger, 'central', 'logins_ok')!.value).to.be.closeTo(2 / 3, 1e-9);
    // A Counter's count is the sum of its values (3), its rate that sum per second (1.5/s over 2 s).
    expect(ledger.verdicts().filter((v) => v.ingress === 'central' && v.budget.startsWith('payments:'))).to.deep.equal([
      {
        phase: 'baseline',
        ingress: 'central',
        budget: 'payments: count>=5',
        value: 3,
        pass: false,
        samples: 2,
        ...failed(5),
      },
      {
        phase: 'baseline',
        ingress: 'central',
        budget: 'payments: rate>=2',
        value: 1.5,
        pass: false,
        samples: 2,
        ...failed(2),
      },
    ]);
    expect(verdict(ledger, 'west', 'logins_ok')).to.include({ value: null, pass: false, samples: 0 });
  });

  it('filters requests on the name tag and on a tag the script sets', () => {
    const ledger = ledgerWith([
      budget('http_req_duration{name:home}', 'max<100'),
      budget('http_reqs{journey:session}', 'count==1'),
    ]);
    ledger.add(request(0, 'central', 'home', 50));
    ledger.add(request(10, 'central', 'login', 900, 'session'));
    ledger.add(request(20, 'central', 'home', 80, 'browse'));
    ledger.endPhases(2000);
    expect(verdict(ledger, 'central', 'http_req_duration{name:home}')).to.include({
      value: 80,
      pass: true,
      samples: 2,
    });
    expect(verdict(ledger, 'central', 'http_reqs{journey:session}')).to.include({ value: 1, pass: true, samples: 1 });
  });

  it('without a script, checks and unknown metrics are refused; with one, only what it declares', () => {
    expect(parseMetricSelector('checks').ok).to.equal(false);
    expect(parseMetricSelector('home_ms').ok).to.equal(false);
    expect(parseMetricSelector('home_ms', facts)).to.include({ ok: true });
    expect(parseMetricSelector('home_time', facts).ok).to.equal(false);
    expect(parseMetricSelector('http_reqs{journey:pay}', facts).ok).to.equal(false);
    expect(parseMetricSelector('http_reqs{journey:session}', facts).ok).to.equal(true);
  });
});
