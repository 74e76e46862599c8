import { expect } from 'chai';
import { seededRandom as random } from '../../src/system/random.js';
import { budget, requestSample, testLedger } from '../support/ledger-kit.js';

/** A request sent at `sentMs` (its sample's time is sent + duration). */
const request = (sentMs: number, ingress: string, durationMs: number, failed = false, servedBy = ingress) =>
  requestSample(sentMs, durationMs, { ingress, failed, servedBy });

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('the ledger (windows, phases, verdicts)', () => {
  it('reports phase percentiles within 1 % of percentiles computed from the raw samples', () => {
    const next = random(42);
    const ledger = testLedger([]);
    ledger.startPhase('baseline', 0);
    const durations: number[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const d = Math.exp(3 + next() * 3) + next(); // 20 ms to 400 ms, long-tailed
      durations.push(d);
      ledger.add(request(i, 'central', d));
    }
    ledger.endPhases(20_000);
    const stats = ledger.phaseSummaries()[0]!.stats;
    expect(stats.requests).to.equal(20_000);
    for (const [p, value] of [
      [50, stats.p50],
      [95, stats.p95],
      [99, stats.p99],
    ] as const) {
      const exact = nearestRank(durations, p);
      expect(Math.abs(value! - exact) / exact, `p${p}: ${value} vs ${exact}`).to.be.below(0.01);
    }
    expect(stats.max).to.equal(Math.max(...durations));
  });

  it('cuts phases at the recorded times and judges each budget per phase and per ingress', () => {
    const ledger = testLedger(
      [
        budget('all', 'http_req_failed', 'rate<0.1'),
        budget('fault', 'http_req_duration{ingress:central}', 'p(95)<100'),
      ],
      { ingresses: ['central', 'west'] },
    );
    ledger.startPhase('baseline', 0);
    for (let t = 0; t < 1000; t += 10) {
      ledger.add(request(t, 'central', 20));
      ledger.add(request(t, 'west', 20));
    }
    ledger.startPhase('fault', 1000);
    for (let t = 1000; t < 2000; t += 10) {
      ledger.add(request(t, 'central', 300, t % 20 === 0));
      ledger.add(request(t, 'west', 20));
    }
    ledger.endPhases(2000);
    const table = ledger.verdicts().map((v) => `${v.phase} ${v.ingress} ${v.budget} ${v.pass ? 'pass' : 'FAIL'}`);
    expect(table).to.deep.equal([
      'baseline central http_req_failed: rate<0.1 pass',
      'baseline west http_req_failed: rate<0.1 pass',
      'fault central http_req_failed: rate<0.1 FAIL',
      'fault west http_req_failed: rate<0.1 pass',
      'fault central http_req_duration{ingress:central}: p(95)<100 FAIL',
    ]);
  });

  it('counts a request for the phase it was sent in, even when it ends in the next one', () => {
    const ledger = testLedger([budget('all', 'http_req_duration', 'max<300')]);
    ledger.startPhase('fault', 0);
    ledger.add(request(900, 'central', 400)); // sent during the fault, ends after the revert
    ledger.startPhase('recovery', 1000);
    ledger.add(request(1100, 'central', 10));
    ledger.endPhases(2000);
    expect(ledger.verdicts().map((v) => `${v.phase} ${v.pass}`)).to.deep.equal(['fault false', 'recovery true']);
    // Windows are by end time: the slow request is in the window it ended in.
    expect(ledger.closeWindows(2000).map((w) => w.max)).to.deep.equal([null, 400]);
  });

  it('fails a budget over a phase with no samples', () => {
    const ledger = testLedger([budget('recovery', 'http_req_failed', 'rate<0.1')]);
    ledger.startPhase('baseline', 0);
    ledger.add(request(10, 'central', 5));
    ledger.startPhase('recovery', 1000);
    ledger.endPhases(2000);
    expect(ledger.verdicts()).to.deep.equal([
      {
        phase: 'recovery',
        ingress: 'central',
        budget: 'http_req_failed: rate<0.1',
        value: null,
        pass: false,
        outcome: 'no-data',
        samples: 0,
        limit: 0.1,
      },
    ]);
  });

  it('filters by served_by and counts which cluster served the traffic', () => {
    const ledger = testLedger([budget('all', 'http_reqs{served_by:west}', 'count>=3')]);
    ledger.startPhase('fault', 0);
    ['west', 'west', 'central', 'west'].forEach((servedBy, i) => ledger.add(request(i, 'central', 5, false, servedBy)));
    ledger.endPhases(1000);
    expect(ledger.verdicts()[0]).to.include({ value: 3, pass: true });
    expect(ledger.phaseSummaries()[0]!.stats.servedBy).to.deep.equal({ west: 3, central: 1 });
  });

  it('closes windows in order, flags abort-limit breaches, and counts late samples', () => {
    const abort = budget('all', 'http_req_failed', 'rate<0.5');
    const ledger = testLedger([], {
      windowMs: 250,
      abortLimits: [{ selector: abort.selector, threshold: abort.threshold }],
    });
    ledger.startPhase('fault', 0);
    for (let t = 0; t < 250; t += 25) ledger.add(request(t, 'central', 5));
    for (let t = 250; t < 500; t += 25) ledger.add(request(t, 'central', 5, true));
    const closed = ledger.closeWindows(500);
    expect(closed.map((w) => [w.startMs, w.requests, w.breaches.length])).to.deep.equal([
      [0, 10, 0],
      [250, 10, 1],
    ]);
    expect(closed[1]!.breaches[0]).to.deep.equal({ limit: 'http_req_failed: rate<0.5', value: 1 });
    ledger.add(request(100, 'central', 5));
    expect(ledger.lateSamples).to.equal(1);
    expect(ledger.closeWindows(750).map((w) => w.requests)).to.deep.equal([0]);
  });
});
