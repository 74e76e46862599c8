/**
 * time_to_impact and time_to_recover budgets judged from hand-built timings. Expected outcomes
 * come from the rule in docs/verdicts.md ("Budgets on time to impact and time to recover"):
 * measured → compare; not impacted → impact +∞, recovery −∞; never recovered → +∞; not measured → no data.
 */
import { expect } from 'chai';
import { judgeTimingBudgets } from '../../src/run/judge/judge-timing.js';
import type { Budget } from '../../src/budgets/budget.js';
import type { RunPlan } from '../../src/run/plan/build-plan.js';
import { formatTimeTo, timingsOf, type IngressTiming, type TimeTo } from '../../src/run/judge/timing.js';
import type { RunRecord } from '../../src/run/timeline/run-record.js';
import { RequestTrail } from '../../src/budgets/request-trail.js';
import { budget, requestSample, testLedger } from '../support/ledger-kit.js';

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
  impactDuration: timeToRecover,
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

describe('time to impact and to recover say what an SRE means (issue 26, item 4)', () => {
  // baseline [0, 10 000); apply called at 10 000, converged 10 500; revert called 30 000, converged
  // 30 400; recovery until 40 000. 50 requests a second (every 20 ms), 10 ms each unless bad.
  const plan = {
    phases: [
      { name: 'baseline', durationMs: 10_000, faults: [] },
      { name: 'fault', durationMs: 20_000, faults: [{}] },
      { name: 'recovery', durationMs: 10_000, faults: [] },
    ],
    load: [{ ingress: 'central' }, { ingress: 'west' }, { ingress: 'east' }],
    scenario: { windowMs: 1000, recoveredAfterWindows: 3, budgets: [] },
  } as unknown as RunPlan;

  /** A record where `bad(ingress, t)` fails the request sent at t, and `checks(ingress, t)` adds a check. */
  function recordOf(
    bad: (ingress: string, t: number) => boolean,
    checkFails: (ingress: string, t: number) => boolean = () => false,
  ): RunRecord {
    const ingresses = ['central', 'west', 'east'];
    const ledger = testLedger([], { ingresses });
    const trails = new Map(ingresses.map((ingress) => [ingress, new RequestTrail()]));
    const send = (from: number, to: number) => {
      for (let t = from; t < to; t += 20)
        for (const ingress of ingresses) {
          const failed = bad(ingress, t);
          ledger.add(requestSample(t, 10, { ingress, failed }));
          trails.get(ingress)!.add(t, 10, failed);
          // Its check, at its end: fails with the request, or alone when told.
          trails.get(ingress)!.add(t + 10, 0, failed || checkFails(ingress, t));
        }
    };
    ledger.startPhase('baseline', 0);
    send(0, 10_000);
    ledger.startTransition('fault', 'apply', 10_000);
    ledger.startPhase('fault', 10_500);
    ledger.startTransition('fault', 'revert', 30_000);
    ledger.startPhase('recovery', 30_400);
    send(10_000, 40_000);
    ledger.endPhases(40_000);
    return {
      stop: { kind: 'completed' },
      ledger,
      windows: [],
      applied: [{ convergedAtMs: 10_500, effectiveAtMs: 10_500 }],
      reverted: [{ revertConvergedAtMs: 30_400, revertedAtMs: 30_000 }],
      startedAtMs: 0,
      endedAtMs: 40_000,
      trails,
    } as unknown as RunRecord;
  }

  it('an impact that healed before the revert is "recovered during the fault", timed from the fault, with its length', () => {
    // central fails from 10 300 to 10 700: impact at 10 300 (20 of 50 out of line in its second,
    // allowed 0.5 + 3·√0.495 + 1 = 3.6) → −200 ms; the first in-line request after it, 10 700,
    // starts 3 clean seconds before the revert: recovered 10 700 − 10 500 = 200 ms after the fault
    // began, the impact lasted 10 700 − 10 300 = 400 ms. (It used to read "time to recover −400 ms":
    // the first clean request after the revert's call, 30 000 − 30 400.)
    const [central] = timingsOf(
      plan,
      recordOf((ingress, t) => ingress === 'central' && t >= 10_300 && t < 10_700),
    );
    expect(central!.timeToImpact).to.deep.equal({ kind: 'measured', ms: -200 });
    expect(central!.timeToRecover).to.deep.equal({ kind: 'recovered-during-fault', ms: 200, impactMs: 400 });
    expect(central!.impactDuration).to.deep.equal({ kind: 'measured', ms: 400 });
    expect(formatTimeTo(central!.timeToRecover)).to.equal(
      'recovered during the fault, 200 ms after it began; impact lasted 400 ms',
    );
  });

  it('a blip caused by the revert is no time to impact: the search stops at the revert', () => {
    // west is clean during the fault and fails from 30 100 to 30 300, after the revert's call at 30 000.
    // It used to read "time to impact 19.60 s" (30 100 − 10 500).
    const [, west] = timingsOf(
      plan,
      recordOf((ingress, t) => ingress === 'west' && t >= 30_100 && t < 30_300),
    );
    expect(west!.timeToImpact).to.deep.equal({ kind: 'not-impacted' });
    expect(west!.timeToRecover).to.deep.equal({ kind: 'not-impacted' });
  });

  it('an impact that lasts until the revert is recovered from the revert; its length spans both', () => {
    // east fails from 12 000 until 30 600: impact 12 000 − 10 500 = 1500 ms; recovered at 30 600 −
    // 30 400 = 200 ms after the revert converged; the impact lasted 30 600 − 12 000 = 18 600 ms.
    const [, , east] = timingsOf(
      plan,
      recordOf((ingress, t) => ingress === 'east' && t >= 12_000 && t < 30_600),
    );
    expect(east!.timeToImpact).to.deep.equal({ kind: 'measured', ms: 1500 });
    expect(east!.timeToRecover).to.deep.equal({ kind: 'measured', ms: 200 });
    expect(east!.impactDuration).to.deep.equal({ kind: 'measured', ms: 18_600 });
  });

  it('failed checks are impact, with the baseline share counting checks too', () => {
    // Every request answers; central's checks fail from 15 000 to 16 000 (at 15 010 … 15 990): impact at
    // 15 010 → 4510 ms. Recovery: a 3 s stretch holds 300 entries (150 requests, 150 checks), allowed
    // 300·0.01 + 3·√(300·0.01·0.99) + 1 = 9.17 out of line; the in-line request at t starts one when
    // its stretch holds at most 9 failing checks, (15 990 − (t + 10))/20 + 1 ≤ 9 → t ≥ 15 820:
    // recovered 15 820 − 10 500 = 5320 ms after the fault began, the impact lasted 15 820 − 15 010 = 810 ms.
    const [central] = timingsOf(
      plan,
      recordOf(
        () => false,
        (ingress, t) => ingress === 'central' && t >= 15_000 && t < 16_000,
      ),
    );
    expect(central!.timeToImpact).to.deep.equal({ kind: 'measured', ms: 4510 });
    expect(central!.timeToRecover).to.deep.equal({ kind: 'recovered-during-fault', ms: 5320, impactMs: 810 });
  });

  it('budgets: time_to_recover is judged from the fault when it recovered during it; impact_duration is its own field', () => {
    const healed: IngressTiming = {
      ingress: 'central',
      timeToImpact: ms(-200),
      timeToRecover: { kind: 'recovered-during-fault', ms: 40_000, impactMs: 39_800 },
      impactDuration: ms(39_800),
      baseline: { failureShare: 0, p99Ms: 50 },
    };
    // A 40 s outage that healed by itself does not pass "recover within 5 s" any more.
    expect(judged(budget('recovery', 'time_to_recover', 'max<5s'), [healed])).to.deep.equal([
      ['recovery', 'central', 'fail', 40_000, 'recovered-during-fault'],
    ]);
    expect(judged(budget('fault', 'impact_duration', 'max<1s'), [healed])).to.deep.equal([
      ['fault', 'central', 'fail', 39_800, undefined],
    ]);
  });
});
