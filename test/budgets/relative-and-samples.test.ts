/**
 * Enough samples for a percentile, and budgets relative to the baseline phase. Expected numbers
 * are worked out by hand from the rules in docs/verdicts.md.
 */
import { expect } from 'chai';
import { Ledger } from '../../src/budgets/ledger.js';
import { neededSamples } from '../../src/budgets/judge-budget.js';
import { sampleWarnings } from '../../src/budgets/sample-warnings.js';
import { neededRateSamples } from '../../src/budgets/rate-samples.js';
import { binomialTail } from '../../src/budgets/proportions.js';
import type { Budget } from '../../src/budgets/budget.js';
import { budget, requestSample, testLedger } from '../support/ledger-kit.js';

const request = (sentMs: number, durationMs: number, failed = false) => requestSample(sentMs, durationMs, { failed });

function ledgerWith(budgets: Budget[]): Ledger {
  return testLedger(budgets);
}

/** `count` requests sent in [from, from + 1000) with durations first, first + 1, …; the first `failures` failed. */
function send(ledger: Ledger, from: number, count: number, first: number, failures = 0): void {
  for (let i = 0; i < count; i += 1) ledger.add(request(from + (i * 1000) / count, first + i, i < failures));
}

const find = (ledger: Ledger, phase: string, text: string) =>
  ledger.verdicts().find((v) => v.phase === phase && v.budget === text)!;

describe('enough samples for a percentile', () => {
  it('needs n·(1 − q/100) ≥ 10 (the nearer tail for q < 50)', () => {
    const p = (q: number) => neededSamples({ kind: 'percentile', percentile: q });
    // 10 / 0.05 = 200; 10 / 0.01 = 1000; 10 / 0.005 = 2000; 10 / 0.001 = 10000;
    // med: 10 / 0.5 = 20; p(10): 10 / 0.1 = 100.
    expect([p(95), p(99), p(99.5), p(99.9), p(90), p(10)]).to.deep.equal([200, 1000, 2000, 10_000, 100, 100]);
    expect(neededSamples({ kind: 'med' })).to.equal(20);
    expect([p(0), p(100), neededSamples({ kind: 'max' }), neededSamples({ kind: 'avg' })]).to.deep.equal([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('p(99.5) over 40 samples is inconclusive and says it needs 2000; over 2000 it is judged', () => {
    const ledger = ledgerWith([budget('baseline', 'http_req_duration', 'p(99.5)<1000')]);
    ledger.startPhase('baseline', 0);
    send(ledger, 0, 40, 1);
    ledger.startPhase('fault', 1000);
    ledger.endPhases(2000);
    const verdict = find(ledger, 'baseline', 'http_req_duration: p(99.5)<1000');
    // Durations 1..40 ms: index 39·0.995 = 38.805 → 39 + 0.805 = 39.805 (measured, yet not a claim).
    expect(verdict).to.include({ outcome: 'inconclusive', pass: false, needed: 2000, samples: 40 });
    expect(verdict.value).to.be.closeTo(39.805, 1e-9);

    const enough = ledgerWith([budget('baseline', 'http_req_duration', 'p(99.5)<1000')]);
    enough.startPhase('baseline', 0);
    send(enough, 0, 2000, 1);
    enough.endPhases(1000);
    // Durations 1..2000: index 1999·0.995 = 1989.005 → 1990 + 0.005 = 1990.005 ≥ 1000: a real failure.
    const judged = find(enough, 'baseline', 'http_req_duration: p(99.5)<1000');
    expect(judged).to.include({ outcome: 'fail', samples: 2000 });
    expect(judged.value).to.be.closeTo(1990.005, 1e-6);
    expect(judged.needed).to.equal(undefined);
  });
});

describe('budgets relative to the baseline phase', () => {
  const budgets = [
    budget('baseline', 'http_req_duration', 'p(95)<1000'),
    budget('fault', 'http_req_duration', 'p(95) < baseline + 50'),
    budget('fault', 'http_req_duration', 'p(95) < baseline * 1.6'),
    budget('fault', 'http_req_failed', 'rate < baseline + 0.005'),
    budget('recovery', 'http_req_failed', 'rate < baseline + 0.005'),
  ];

  it('resolves the limit from the same aggregation of the baseline phase', () => {
    const ledger = ledgerWith(budgets);
    ledger.startPhase('baseline', 0);
    send(ledger, 0, 200, 1, 2); // durations 1..200 ms, 2 failures of 200 = 0.01
    ledger.startPhase('fault', 1000);
    send(ledger, 1000, 200, 101, 4); // durations 101..300 ms, 4 of 200 = 0.02
    ledger.startPhase('recovery', 2000);
    send(ledger, 2000, 200, 1, 2); // 0.01 again
    ledger.endPhases(3000);
    // Baseline p95: index 199·0.95 = 189.05 → 190 + 0.05 = 190.05; fault p95 = 290.05.
    const plus = find(ledger, 'fault', 'http_req_duration: p(95) < baseline + 50');
    expect(plus).to.include({ outcome: 'fail' });
    expect(plus.value).to.be.closeTo(290.05, 1e-9);
    expect(plus.limit).to.be.closeTo(240.05, 1e-9);
    expect(plus.baseline?.phase).to.equal('baseline');
    expect(plus.baseline?.value).to.be.closeTo(190.05, 1e-9);
    // 190.05 × 1.6 = 304.08 > 290.05: passes.
    const times = find(ledger, 'fault', 'http_req_duration: p(95) < baseline * 1.6');
    expect(times).to.include({ outcome: 'pass' });
    expect(times.limit).to.be.closeTo(304.08, 1e-9);
    // Error rate: limit 0.01 + 0.005 = 0.015; fault 0.02 fails, recovery 0.01 passes.
    expect(find(ledger, 'fault', 'http_req_failed: rate < baseline + 0.005')).to.include({ outcome: 'fail' });
    expect(find(ledger, 'recovery', 'http_req_failed: rate < baseline + 0.005')).to.include({ outcome: 'pass' });
  });

  it('is no-data when the baseline had none, and inconclusive when the baseline cannot carry the percentile', () => {
    const empty = ledgerWith(budgets);
    empty.startPhase('baseline', 0);
    empty.startPhase('fault', 1000);
    send(empty, 1000, 200, 1);
    empty.endPhases(2000);
    expect(find(empty, 'fault', 'http_req_duration: p(95) < baseline + 50')).to.include({
      outcome: 'no-data',
      pass: false,
    });
    expect(find(empty, 'fault', 'http_req_failed: rate < baseline + 0.005')).to.include({ outcome: 'no-data' });

    const thin = ledgerWith(budgets);
    thin.startPhase('baseline', 0);
    send(thin, 0, 50, 1); // 50 < 200 samples needed for p(95)
    thin.startPhase('fault', 1000);
    send(thin, 1000, 200, 1);
    thin.endPhases(2000);
    expect(find(thin, 'fault', 'http_req_duration: p(95) < baseline + 50')).to.include({
      outcome: 'inconclusive',
      needed: 200,
      pass: false,
    });
  });
});

describe("chaos plan's warning when a phase cannot collect the samples", () => {
  const phases = [
    { name: 'baseline', durationMs: 20_000 },
    { name: 'fault', durationMs: 40_000 },
  ];

  it('warns for p(99) at 15/s over 40 s (600 < 1000) and names what would reach it', () => {
    const warnings = sampleWarnings([budget('fault', 'http_req_duration', 'p(99)<350')], phases, 15);
    // 15 × 40 = 600; 1000 / 15 = 66.7 → 67 s; 1000 / 40 = 25/s.
    expect(warnings).to.deep.equal([
      'fault: http_req_duration: p(99)<350 needs 1000 samples per ingress; phase fault at 15/s for 40s gives ' +
        'about 600, so it will be inconclusive (a phase of 67s, or a rate of 25/s, would reach it)',
    ]);
    expect(sampleWarnings([budget('fault', 'http_req_duration', 'p(99)<350')], phases, 25)).to.deep.equal([]);
  });

  it('checks the baseline too for a relative budget, and ignores counts', () => {
    // p(95) needs 200: baseline 10/s × 20 s = 200 is enough, 9/s × 20 s = 180 is not (fault 360 is).
    const relative = budget('fault', 'http_req_duration', 'p(95) < baseline + 50');
    expect(sampleWarnings([relative], phases, 10)).to.deep.equal([]);
    expect(sampleWarnings([relative], phases, 9).map((w) => w.split(' gives')[0])).to.deep.equal([
      'fault: http_req_duration: p(95) < baseline + 50 needs 200 samples per ingress; phase baseline at 9/s for 20s',
    ]);
    expect(sampleWarnings([budget('all', 'http_reqs', 'count<1000')], phases, 1)).to.deep.equal([]);
  });

  it('warns for a rate budget too: rate<0.01 needs 299 (issue 26, item 8)', () => {
    // 299 / 20 s = 14.95 → 15/s; at 14/s the baseline gives 280, the fault 560.
    expect(sampleWarnings([budget('all', 'http_req_failed', 'rate<0.01')], phases, 15)).to.deep.equal([]);
    expect(sampleWarnings([budget('all', 'http_req_failed', 'rate<0.01')], phases, 14)).to.deep.equal([
      'all: http_req_failed: rate<0.01 needs 299 samples per ingress; phase baseline at 14/s for 20s gives ' +
        'about 280, so it will be inconclusive (a phase of 22s, or a rate of 15/s, would reach it)',
    ]);
  });
});

describe('enough samples for a rate (issue 26, item 8)', () => {
  it('needs n with (1 − r)ⁿ < 0.05 for rate<r, and rⁿ < 0.05 for rate>r', () => {
    // 0.99^298 = 0.050048 ≥ 0.05, 0.99^299 = 0.049548 < 0.05 → 299; 0.9^28 = 0.0523, 0.9^29 = 0.0471 → 29;
    // 0.8^13 = 0.0550, 0.8^14 = 0.0440 → 14.
    expect([0.99 ** 298, 0.99 ** 299]).to.satisfy(([a, b]: number[]) => a! >= 0.05 && b! < 0.05);
    expect(neededRateSamples('<', 0.01)).to.equal(299);
    expect(neededRateSamples('<=', 0.01)).to.equal(299);
    expect(neededRateSamples('>', 0.99)).to.equal(299);
    expect(neededRateSamples('>', 0.9)).to.equal(29);
    expect(neededRateSamples('<', 0.2)).to.equal(14);
    expect([neededRateSamples('<', 0), neededRateSamples('==', 0.5), neededRateSamples('>', 1)]).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
  });

  const login = budget('fault', 'http_req_failed', 'rate<0.01');
  const judged = (requests: number, failures: number) => {
    const ledger = ledgerWith([login]);
    ledger.startPhase('fault', 0);
    send(ledger, 0, requests, 10, failures);
    ledger.endPhases(1000);
    return find(ledger, 'fault', 'http_req_failed: rate<0.01');
  };

  it('0 failures of 20 against rate<0.01 is inconclusive (needs 299), not a pass; 0 of 299 passes', () => {
    // The exact one-sided 95 % upper bound of 0/20 is 1 − 0.05^(1/20) = 13.9 %: 1 % is not shown.
    expect(judged(20, 0)).to.include({ outcome: 'inconclusive', pass: false, needed: 299, value: 0 });
    expect(judged(298, 0)).to.include({ outcome: 'inconclusive', needed: 299 });
    expect(judged(299, 0)).to.include({ outcome: 'pass', pass: true });
  });

  it('a breach the few samples already prove stays a failure; one that they do not is inconclusive', () => {
    // 3 of 20 at r = 0.01: P(X ≥ 3) = 1 − (0.99^20 + 20·0.01·0.99^19 + 190·0.0001·0.99^18)
    // = 1 − (0.817907 + 0.165234 + 0.015856) = 0.001003 < 0.05: fail.
    expect(judged(20, 3)).to.include({ outcome: 'fail' });
    // 1 of 20: P(X ≥ 1) = 1 − 0.99^20 = 0.182 ≥ 0.05: 5 % measured, but 1 % is not ruled out.
    expect(judged(20, 1)).to.include({ outcome: 'inconclusive', needed: 299 });
    expect(binomialTail(3, 20, 0.01, 'upper')).to.be.closeTo(0.001003, 1e-6);
    expect(binomialTail(1, 20, 0.01, 'upper')).to.be.closeTo(1 - 0.99 ** 20, 1e-12);
  });
});
