/**
 * Time to impact / recover at request precision, negative controls and inconclusive runs,
 * judged from hand-built records. Expected values are worked out from the rules (docs/verdicts.md).
 */
import { expect } from 'chai';
import { RequestTrail, timeToImpact, timeToRecover, type Baseline } from '../../src/budgets/request-trail.js';
import { judgeNegativeControl } from '../../src/run/judge/negative-control.js';
import { withDelivery } from '../../src/run/judge/judge-run.js';
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
    expect(outcome.reason).to.include('fault/west: sent 0 of 100 planned');
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

  it('with named budgets, a breach of another budget does not count', () => {
    const verdicts = [...good, verdict('fault', 'west', 'fail', 'http_req_duration: p(95)<100')];
    const named = plan(['fault: http_req_duration']);
    expect(judgeNegativeControl(named, good, allDelivered, undefined).status).to.equal('invalid');
    expect(judgeNegativeControl(named, verdicts, allDelivered, undefined).status).to.equal('passed');
  });
});

describe('load not delivered', () => {
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
