/**
 * time_to_impact and time_to_recover budgets judged from hand-built timings. Expected outcomes
 * come from the rule in docs/verdicts.md ("Budgets on time to impact and time to recover"):
 * measured → compare; not impacted → impact +∞, recovery −∞; never recovered → +∞; not measured → no data.
 */
import { expect } from 'chai';
import { judgeTimingBudgets } from '../../src/run/judge/judge-timing.js';
import type { Budget } from '../../src/budgets/budget.js';
import type { RunPlan } from '../../src/run/plan/build-plan.js';
import type { IngressTiming, TimeTo } from '../../src/run/judge/timing.js';
import { budget, testLedger } from '../support/ledger-kit.js';

const planOf = (budgets: Budget[], ingresses = ['central', 'west']) =>
  ({
    phases: [
      { name: 'baseline', durationMs: 10_000, faults: [] },
      { name: 'fault', durationMs: 10_000, faults: [{}] },
      { name: 'recovery', durationMs: 10_000, faults: [] },
    ],
    load: ingresses.map((ingress) => ({ ingress })),
    scenario: { budgets },
  }) as unknown as RunPlan;

const timing = (ingress: string, timeToImpact: TimeTo, timeToRecover: TimeTo): IngressTiming => ({
  ingress,
  timeToImpact,
  timeToRecover,
  baseline: { failureShare: 0, p99Ms: 50 },
});

const ms = (value: number): TimeTo => ({ kind: 'measured', ms: value });
const notImpacted: TimeTo = { kind: 'not-impacted' };
const neverRecovered: TimeTo = { kind: 'never-recovered' };
const notMeasured: TimeTo = { kind: 'not-measured' };

/** [phase, ingress, outcome, value, timing] of each verdict, for one budget over the timings' ingresses. */
function judged(b: Budget, timings: IngressTiming[], ingresses = timings.map((t) => t.ingress)) {
  return judgeTimingBudgets(planOf([b], ingresses), timings).map((v) => [
    v.phase,
    v.ingress,
    v.outcome,
    v.value,
    v.timing,
  ]);
}

describe('time_to_impact and time_to_recover budgets', () => {
  const both = [timing('central', ms(1200), ms(4000)), timing('west', ms(300), ms(6500))];

  it('a measured time to recover is compared with the limit in ms: 4000 < 5000 passes, 6500 fails', () => {
    expect(judged(budget('recovery', 'time_to_recover', 'max<5s'), both)).to.deep.equal([
      ['recovery', 'central', 'pass', 4000, undefined],
      ['recovery', 'west', 'fail', 6500, undefined],
    ]);
  });

  it('the verdict row carries the budget as written, the limit in ms and one sample', () => {
    const [row] = judgeTimingBudgets(planOf([budget('fault', 'time_to_impact{ingress:west}', 'value<500ms')]), both);
    expect(row).to.deep.equal({
      phase: 'fault',
      ingress: 'west',
      budget: 'time_to_impact{ingress:west}: value<500ms',
      value: 300,
      samples: 1,
      pass: true,
      outcome: 'pass',
      limit: 500,
    });
  });

  it('a plain number is ms, and `all` reports impact under the first phase with faults', () => {
    // 1200 > 1000 fails on central; 300 passes on west.
    expect(judged(budget('all', 'time_to_impact', 'max<1000'), both)).to.deep.equal([
      ['fault', 'central', 'fail', 1200, undefined],
      ['fault', 'west', 'pass', 300, undefined],
    ]);
  });

  it('`all` reports time to recover under the last phase with faults (its revert)', () => {
    expect(judged(budget('all', 'time_to_recover{ingress:central}', 'max<5s'), both)).to.deep.equal([
      ['fault', 'central', 'pass', 4000, undefined],
    ]);
  });

  it('with two steps that apply faults, `all` puts impact under the first and recovery under the last', () => {
    const steps = {
      phases: [
        { name: 'warmup', durationMs: 10_000, faults: [] },
        { name: 'outage-1', durationMs: 10_000, faults: [{}] },
        { name: 'outage-2', durationMs: 10_000, faults: [{}] },
        { name: 'after', durationMs: 10_000, faults: [] },
      ],
      load: [{ ingress: 'central' }],
      scenario: {
        budgets: [budget('all', 'time_to_impact', 'max<2s'), budget('all', 'time_to_recover', 'max<5s')],
      },
    } as unknown as RunPlan;
    const rows = judgeTimingBudgets(steps, [timing('central', ms(1200), ms(4000))]);
    expect(rows.map((v) => [v.phase, v.budget, v.outcome])).to.deep.equal([
      ['outage-1', 'time_to_impact: max<2s', 'pass'],
      ['outage-2', 'time_to_recover: max<5s', 'pass'],
    ]);
  });

  it('a negative time to impact is compared as it is: −351 < 0 passes "value<0", fails "value>=0"', () => {
    const early = [timing('central', ms(-351), ms(100))];
    expect(judged(budget('fault', 'time_to_impact{ingress:central}', 'value<0'), early)).to.deep.equal([
      ['fault', 'central', 'pass', -351, undefined],
    ]);
    expect(judged(budget('fault', 'time_to_impact{ingress:central}', 'value>=0'), early)).to.deep.equal([
      ['fault', 'central', 'fail', -351, undefined],
    ]);
    // −351 > −500ms: a negative limit with a unit.
    expect(judged(budget('fault', 'time_to_impact{ingress:central}', 'value>-500ms'), early)).to.deep.equal([
      ['fault', 'central', 'pass', -351, undefined],
    ]);
  });

  it('not impacted: time to recover passes "<" (nothing to recover from) and fails ">"', () => {
    const untouched = [timing('west', notImpacted, notImpacted)];
    expect(judged(budget('recovery', 'time_to_recover', 'max<5s'), untouched)).to.deep.equal([
      ['recovery', 'west', 'pass', null, 'not-impacted'],
    ]);
    expect(judged(budget('recovery', 'time_to_recover', 'max>1s'), untouched)).to.deep.equal([
      ['recovery', 'west', 'fail', null, 'not-impacted'],
    ]);
  });

  it('not impacted: time to impact passes ">" (it never came sooner) and fails "<" (it never came)', () => {
    const untouched = [timing('west', notImpacted, notImpacted)];
    expect(judged(budget('fault', 'time_to_impact', 'value>2s'), untouched)).to.deep.equal([
      ['fault', 'west', 'pass', null, 'not-impacted'],
    ]);
    expect(judged(budget('fault', 'time_to_impact', 'value<2s'), untouched)).to.deep.equal([
      ['fault', 'west', 'fail', null, 'not-impacted'],
    ]);
  });

  it('never recovered fails a "<" budget, with the reason in the row', () => {
    const stuck = [timing('central', ms(200), neverRecovered)];
    expect(judged(budget('recovery', 'time_to_recover', 'max<5s'), stuck)).to.deep.equal([
      ['recovery', 'central', 'fail', null, 'never-recovered'],
    ]);
  });

  it('not measured (no fault, no baseline) is no data, and so is an ingress with no timing', () => {
    const none = [timing('central', notMeasured, notMeasured)];
    expect(judged(budget('recovery', 'time_to_recover', 'max<5s'), none, ['central', 'west'])).to.deep.equal([
      ['recovery', 'central', 'no-data', null, 'not-measured'],
      ['recovery', 'west', 'no-data', null, 'not-measured'],
    ]);
  });

  it('the ledger leaves them alone: no request-statistic verdict (which would be "no data") for a time', () => {
    const budgets = [budget('recovery', 'time_to_recover', 'max<5s'), budget('recovery', 'http_reqs', 'count<10')];
    const ledger = testLedger(budgets);
    ledger.startPhase('recovery', 0);
    expect(ledger.verdicts().map((v) => v.budget)).to.deep.equal(['http_reqs: count<10']);
  });

  it('other budgets are not judged here', () => {
    expect(judgeTimingBudgets(planOf([budget('fault', 'http_req_failed', 'rate<0.01')]), both)).to.deep.equal([]);
  });
});
