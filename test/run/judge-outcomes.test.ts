/**
 * Time to impact / recover at request precision, negative controls and inconclusive runs,
 * judged from hand-built records. Expected values are worked out from the rules (docs/verdicts.md).
 */
import { expect } from 'chai';
import { RequestTrail, timeToImpact, timeToRecover, type Baseline } from '../../src/budgets/request-trail.js';
import { abortSpan, judgeNegativeControl } from '../../src/run/judge/negative-control.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { blindness, withDelivery } from '../../src/run/judge/judge-run.js';
import type { Verdict } from '../../src/budgets/ledger.js';
import type { Delivery } from '../../src/budgets/delivery.js';
import type { RunPlan } from '../../src/run/plan/build-plan.js';

const baseline: Baseline = { failureShare: 0, p99Ms: 50 };

/** 50 requests a second from `fromMs` to `toMs`; `bad(t)` says which fail. */
function trailOf(fromMs: number, toMs: number, bad: (sentMs: number) => boolean): RequestTrail {
  const trail = new RequestTrail();
  for (let t = fromMs; t < toMs; t += 20) trail.add(t, 10, bad(t));
  return trail;
}

describe('time to impact and to recover (request precision, never clamped)', () => {
  it('impact before the convergence was observed is negative: −351 ms, not 0', () => {
    // Fault API call at 10 000, converged (observed) at 10 651; every request from 10 300 fails.
    const list = trailOf(9000, 20_000, (t) => t >= 10_300).requests(baseline, 10_000, 20_000);
    // The first failing request sent is at 10 300: 10 300 − 10 651 = −351.
    expect(timeToImpact(list, baseline, 10_651, 1000)).to.deep.equal({ kind: 'measured', ms: -351 });
  });

  it('one failed request is not impact: the baseline allows a few by chance', () => {
    // Allowed in a 1 s stretch of 50 with s = 0.01: 0.5 + 3·√0.495 + 1 ≈ 3.61, so 1 failure is in line.
    const list = trailOf(10_000, 20_000, (t) => t === 12_000).requests(baseline, 10_000, 20_000);
    expect(timeToImpact(list, baseline, 10_000, 1000)).to.deep.equal({ kind: 'not-impacted' });
  });

  it('a latency past the slow mark (p99 + max(50 ms, p99/4)) is out of line; a second of them is impact', () => {
    const trail = new RequestTrail();
    // 50/s; from 15 000 every request takes 101 ms: past the slow mark 50 + max(50, 12.5) = 100 ms.
    for (let t = 10_000; t < 20_000; t += 20) trail.add(t, t >= 15_000 ? 101 : 10, false);
    const list = trail.requests(baseline, 10_000, 20_000);
    expect(timeToImpact(list, baseline, 14_000, 1000)).to.deep.equal({ kind: 'measured', ms: 1000 });
  });

  it('requests slower than the p99 but within its margin are not impact (machine jitter)', () => {
    const trail = new RequestTrail();
    // From 15 000 every request takes 100 ms: past p99 (50) but not past the slow mark (100).
    for (let t = 10_000; t < 20_000; t += 20) trail.add(t, t >= 15_000 ? 100 : 10, false);
    expect(timeToImpact(trail.requests(baseline, 10_000, 20_000), baseline, 14_000, 1000)).to.deep.equal({
      kind: 'not-impacted',
    });
    // A slow baseline (p99 400 ms): the margin is a quarter of it, so the mark is 500 ms.
    const slow: Baseline = { failureShare: 0, p99Ms: 400 };
    const at = (ms: number) => {
      const t2 = new RequestTrail();
      for (let t = 10_000; t < 20_000; t += 20) t2.add(t, t >= 15_000 ? ms : 200, false);
      return timeToImpact(t2.requests(slow, 10_000, 20_000), slow, 15_000, 1000).kind;
    };
    expect([at(500), at(501)]).to.deep.equal(['not-impacted', 'measured']);
  });

  it('recovery starts at the first in-line request of N clean windows, counted from the converged revert', () => {
    // Revert API call at 30 000, converged at 30 400; failures until 30 500 (exclusive).
    const list = trailOf(30_000, 40_000, (t) => t < 30_500).requests(baseline, 30_000, 40_000);
    // Candidates from 30 500 on: the stretch [30 500, 33 500) has 150 requests, none failing.
    // A start at 30 480 or earlier would be a failing request. So 30 500 − 30 400 = 100.
    expect(timeToRecover(list, baseline, 30_400, 3000, 40_000)).to.deep.equal({ kind: 'measured', ms: 100 });
  });

  it('a stretch that would end after the data is not recovery: never recovered', () => {
    const list = trailOf(30_000, 32_000, (t) => t < 31_000).requests(baseline, 30_000, 32_000);
    // Clean from 31 000, but 31 000 + 3000 > 32 000 (the end): never recovered.
    expect(timeToRecover(list, baseline, 30_000, 3000, 32_000)).to.deep.equal({ kind: 'never-recovered' });
  });
});

const plan = (expectFail: string[] = []) =>
  ({
    phases: [
      { name: 'baseline', durationMs: 1000, faults: [] },
      { name: 'fault', durationMs: 1000, faults: [{}] },
      { name: 'recovery', durationMs: 1000, faults: [] },
    ],
    load: [{ ingress: 'central' }, { ingress: 'west' }],
    scenario: { expectFail },
  }) as unknown as RunPlan;

const verdict = (phase: string, ingress: string, outcome: Verdict['outcome'], budget = 'http_req_failed: rate<0.01') =>
  ({
    phase,
    ingress,
    budget,
    outcome,
    pass: outcome === 'pass',
    value: outcome === 'no-data' ? null : outcome === 'pass' ? 0 : 0.5,
    samples: 10,
  }) satisfies Verdict;

const delivered = (phase: string, ingress: string, sent = 100): Delivery => ({
  phase,
  ingress,
  planned: 100,
  started: sent,
  sent,
  dropped: 100 - sent,
  delivered: sent / 100,
  minDelivered: 0.95,
  outcome: sent >= 95 ? 'delivered' : 'under-delivered',
});
const allDelivered = ['baseline', 'fault', 'recovery'].flatMap((p) => [delivered(p, 'central'), delivered(p, 'west')]);

describe('negative controls', () => {
  const good = [
    verdict('baseline', 'central', 'pass'),
    verdict('baseline', 'west', 'pass'),
    verdict('fault', 'central', 'fail'),
    verdict('fault', 'west', 'pass'),
  ];

  it('pass when the baseline held, every ingress got its load and a fault-phase budget was breached', () => {
    expect(judgeNegativeControl(plan(), good, allDelivered, undefined)).to.include({ status: 'passed', exitCode: 0 });
  });

  it('are invalid (exit 5) when the baseline was already breached', () => {
    const verdicts = [verdict('baseline', 'central', 'fail'), ...good.slice(1)];
    const outcome = judgeNegativeControl(plan(), verdicts, allDelivered, undefined);
    expect(outcome).to.include({ status: 'invalid', exitCode: 5 });
    expect(outcome.reason).to.include('baseline/central');
  });

  it('are invalid when one ingress got no load in the fault phase', () => {
    const load = allDelivered.map((d) =>
      d.phase === 'fault' && d.ingress === 'west' ? delivered('fault', 'west', 0) : d,
    );
    const outcome = judgeNegativeControl(plan(), good, load, undefined);
    expect(outcome).to.include({ status: 'invalid', exitCode: 5 });
    expect(outcome.reason).to.include('fault/west: started 0 of 100 planned iterations');
  });

  it('are invalid when the only failure is "no data" (nothing measured)', () => {
    const verdicts = [...good.slice(0, 2), verdict('fault', 'central', 'no-data'), verdict('fault', 'west', 'pass')];
    expect(judgeNegativeControl(plan(), verdicts, allDelivered, undefined).status).to.equal('invalid');
  });

  it('a time to recover that never came is a measured breach; "not impacted" is none', () => {
    const timingRow = (timing: 'never-recovered' | 'not-impacted', budget: string, phase: string) => ({
      ...verdict(phase, 'central', 'fail', budget),
      value: null,
      samples: 0,
      timing,
    });
    const held = [...good.slice(0, 2), verdict('fault', 'central', 'pass'), verdict('fault', 'west', 'pass')];
    const neverRecovered = [...held, timingRow('never-recovered', 'time_to_recover: max<5s', 'recovery')];
    const named = plan(['recovery: time_to_recover']);
    expect(judgeNegativeControl(named, neverRecovered, allDelivered, undefined)).to.include({
      status: 'passed',
      exitCode: 0,
    });
    const notImpacted = [...held, timingRow('not-impacted', 'time_to_impact: max<2s', 'fault')];
    expect(judgeNegativeControl(plan(), notImpacted, allDelivered, undefined).status).to.equal('invalid');
  });

  it('an abort proves the control only while a fault was in effect, never in the baseline or recovery (issue 26, item 2)', () => {
    const held = [...good.slice(0, 2), verdict('fault', 'central', 'pass'), verdict('fault', 'west', 'pass')];
    const abort = (span: string) => ({
      reason: 'abort limit "http_req_failed: rate<0.5" breached on ingress central',
      span,
    });
    expect(judgeNegativeControl(plan(), held, allDelivered, abort('fault'))).to.include({ status: 'passed' });
    expect(judgeNegativeControl(plan(), held, allDelivered, abort('fault:apply'))).to.include({ status: 'passed' });
    for (const span of ['baseline', 'recovery', 'outside']) {
      const outcome = judgeNegativeControl(plan(), held, allDelivered, abort(span));
      expect(outcome, span).to.include({ status: 'invalid', exitCode: 5 });
      expect(outcome.reason).to.include(`the abort, in ${span}, was not while a fault was in effect`);
    }
  });

  it("an abort's window is placed where it overlaps a fault's span, else by its start", () => {
    const spans = [
      { name: 'baseline', startMs: 0, endMs: 10_500 },
      { name: 'fault:apply', startMs: 10_500, endMs: 10_700 },
      { name: 'fault', startMs: 10_700, endMs: 20_000 },
      { name: 'fault:revert', startMs: 20_000, endMs: 20_300 },
      { name: 'recovery', startMs: 20_300, endMs: 30_000 },
    ];
    const at = (startMs: number) => abortSpan(plan(), { startMs, endMs: startMs + 1000, phase: 'label' }, spans);
    // [9500, 10500) ends where the apply starts: before any fault; [10000, 11000) overlaps the apply.
    expect([at(9500), at(10_000), at(15_000), at(19_500), at(20_300)]).to.deep.equal([
      'label',
      'fault:apply',
      'fault',
      'fault',
      'label',
    ]);
  });

  it('are invalid when no budget was judged in the baseline: "it held" would be vacuous (issue 26, item 2)', () => {
    const onlyFault = [verdict('fault', 'central', 'fail'), verdict('fault', 'west', 'pass')];
    const outcome = judgeNegativeControl(plan(), onlyFault, allDelivered, undefined);
    expect(outcome).to.include({ status: 'invalid', exitCode: 5 });
    expect(outcome.reason).to.include('no budget was judged before the first fault (baseline)');
  });

  it('"all: <metric>" names a budget under all in any phase with faults, not in recovery (issue 26, item 2)', () => {
    const all = plan(['all: http_req_failed']);
    const inRecovery = [
      ...good.slice(0, 2),
      verdict('fault', 'central', 'pass'),
      verdict('recovery', 'central', 'fail'),
    ];
    expect(judgeNegativeControl(all, good, allDelivered, undefined).status).to.equal('passed');
    expect(judgeNegativeControl(all, inRecovery, allDelivered, undefined).status).to.equal('invalid');
    expect(judgeNegativeControl(plan(['fault: http_req_failed']), good, allDelivered, undefined).status).to.equal(
      'passed',
    );
  });

  it('validation accepts "fault: http_req_failed" and "all: http_req_failed" for a budget under all (issue 26, item 2)', () => {
    const text = (named: string) =>
      [
        'name: s',
        'description: d',
        'load: { rate: 1 }',
        'faults: []',
        'budgets: { all: { http_req_failed: rate<0.01 } }',
        `expect: { fail: ["${named}"] }`,
      ].join('\n');
    const lab = { name: 'lab', clusters: ['central', 'west'] };
    for (const named of ['fault: http_req_failed', 'all: http_req_failed', 'recovery: http_req_failed'])
      expect(validateScenario(parseYamlSource('s.yaml', text(named)), lab).expectFail).to.deep.equal([named]);
    expect(() => validateScenario(parseYamlSource('s.yaml', text('fault: http_req_duration')), lab)).to.throw();
  });

  it('with named budgets, a breach of another budget does not count', () => {
    const verdicts = [...good, verdict('fault', 'west', 'fail', 'http_req_duration: p(95)<100')];
    const named = plan(['fault: http_req_duration']);
    expect(judgeNegativeControl(named, good, allDelivered, undefined).status).to.equal('invalid');
    expect(judgeNegativeControl(named, verdicts, allDelivered, undefined).status).to.equal('passed');
  });
});

describe('load not delivered', () => {
  it('turns "no data" of an under-delivered phase × ingress inconclusive, never a breach (issue 26, item 10)', () => {
    const load = [delivered('fault', 'central', 0), delivered('fault', 'west')];
    const verdicts = [verdict('fault', 'central', 'no-data'), verdict('fault', 'west', 'no-data')];
    expect(withDelivery(verdicts, load).map((v) => [v.ingress, v.outcome])).to.deep.equal([
      ['central', 'inconclusive'],
      ['west', 'no-data'],
    ]);
  });

  it('turns a passing verdict of that phase × ingress inconclusive, and leaves a failure a failure', () => {
    const load = [delivered('fault', 'central', 40), delivered('fault', 'west')];
    const verdicts = [
      verdict('fault', 'central', 'pass'),
      verdict('fault', 'central', 'fail'),
      verdict('fault', 'west', 'pass'),
    ];
    expect(withDelivery(verdicts, load).map((v) => [v.outcome, v.pass])).to.deep.equal([
      ['inconclusive', false],
      ['fail', false],
      ['pass', true],
    ]);
  });
});

describe('a blind harness (issue 26, item 10)', () => {
  it('is a harness error when it saw under half of the requests k6 reports, never a verdict', () => {
    // k6 reported 200; the harness saw 99 (< 200 × 0.5 = 100): blind. 100 is half: not blind.
    expect(blindness({ seen: { k6: 200, harness: 99 } })).to.match(/saw 99 of the 200 requests k6 reports/);
    expect(blindness({ seen: { k6: 200, harness: 100 } })).to.equal(undefined);
    // Nothing seen of what a stock script sent through a module the harness does not record.
    expect(blindness({ seen: { k6: 450, harness: 0 } })).to.match(/saw 0 of the 450/);
  });

  it('says nothing when k6 reported too few to tell (under 20), or nothing at all (k6-operator)', () => {
    expect(blindness({ seen: { k6: 19, harness: 0 } })).to.equal(undefined);
    expect(blindness({})).to.equal(undefined);
  });
});
