/**
 * The baseline comparison. Expected p-values are worked out by hand from the textbook formulas
 * (Mann-Whitney U with tie and continuity correction; pooled two-proportion z) and evaluated with
 * an independent erfc (Python's math.erfc), the numbers copied here with their working.
 */
import { expect } from 'chai';
import { bootstrapShifts, seededRandom } from '../../src/budgets/bootstrap.js';
import { compareLatency, compareRates, rankTest, windowRankTest } from '../../src/budgets/compare.js';
import { baselineComparisons } from '../../src/budgets/baseline-comparisons.js';
import { requestSample, testLedger } from '../support/ledger-kit.js';

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('the baseline comparison (rank test, proportions, bootstrap)', () => {
  it('Mann-Whitney without ties: [1,2,3] vs [4,5,6]', () => {
    // R = 1+2+3 = 6, U = 6 − 3·4/2 = 0, mean 4.5, var = 9/12 · 7 = 5.25;
    // z = (4.5 − 0.5)/√5.25 = 1.7457, p = 2·(1 − Φ(z)) = 0.0808556.
    expect(rankTest([1, 2, 3], [4, 5, 6])).to.be.closeTo(0.0808556, 1e-6);
    expect(rankTest([4, 5, 6], [1, 2, 3])).to.be.closeTo(0.0808556, 1e-6);
  });

  it('Mann-Whitney with ties: [1,2,2] vs [2,3,3]', () => {
    // Ranks: 1 → 1; the three 2s → 3; the two 3s → 5.5. R = 1 + 3 + 3 = 7, U = 1;
    // ties Σ(t³ − t) = 24 + 6 = 30; var = 9/12 · (7 − 30/30) = 4.5; z = 3/√4.5 = 1.41421, p = 0.1572992.
    expect(rankTest([1, 2, 2], [2, 3, 3])).to.be.closeTo(0.1572992, 1e-6);
    expect(rankTest([5, 5, 5], [5, 5])).to.equal(1);
  });

  it('two proportions: 10 of 1000 vs 30 of 1000', () => {
    // pooled 0.02, se = √(0.02·0.98·(2/1000)) = 0.0062610, z = 3.1944, p = 0.0014013;
    // Wald half-width 1.96·√(0.01·0.99/1000 + 0.03·0.97/1000) = 0.0122402.
    const result = compareRates(
      { sorted: [], requests: 1000, failures: 10 },
      { sorted: [], requests: 1000, failures: 30 },
    )!;
    expect(result.pValue).to.be.closeTo(0.0014013, 1e-6);
    expect(result.difference).to.be.closeTo(0.02, 1e-12);
    expect(result.low).to.be.closeTo(0.02 - 0.0122402, 1e-6);
    expect(result.high).to.be.closeTo(0.02 + 0.0122402, 1e-6);
    const none = compareRates({ sorted: [], requests: 500, failures: 0 }, { sorted: [], requests: 400, failures: 0 })!;
    expect(none.pValue).to.equal(1);
    expect(compareRates({ sorted: [], requests: 0, failures: 0 }, { sorted: [], requests: 5, failures: 1 })).to.equal(
      null,
    );
  });

  it('the counted bootstrap equals a plain resample-sort-interpolate with the same draws', () => {
    const base = range(1, 300).map((v) => v * 1.5);
    const other = range(1, 250).map((v) => v * 2 + 7);
    const qs = [50, 95];
    const fast = bootstrapShifts(base, other, qs, { resamples: 40, cap: 10_000, seed: 9 });
    // The same generator, the same order of draws (base then other, per resample), then sort.
    const random = seededRandom(9);
    const plain = (sorted: number[]) => {
      const drawn = sorted.map(() => sorted[Math.floor(random() * sorted.length)]!).sort((x, y) => x - y);
      return qs.map((q) => {
        const index = ((drawn.length - 1) * q) / 100;
        const lo = drawn[Math.floor(index)]!;
        return lo + (drawn[Math.ceil(index)]! - lo) * (index - Math.floor(index));
      });
    };
    for (let r = 0; r < 40; r += 1) {
      const a = plain(base);
      const b = plain(other);
      expect(fast[0]![r]).to.be.closeTo(b[0]! - a[0]!, 1e-9);
      expect(fast[1]![r]).to.be.closeTo(b[1]! - a[1]!, 1e-9);
    }
  });

  it('a constant shift of 100 ms is found, inside its interval, reproducibly; equal samples straddle 0', () => {
    const base = range(1, 2000).map((v) => 50 + v / 10); // 50.1 … 250 ms
    const shifted = base.map((v) => v + 100);
    const one = compareLatency(base, shifted)!;
    expect(one.p95.shift).to.be.closeTo(100, 1e-9);
    expect(one.p95.low).to.be.below(100);
    expect(one.p95.high).to.be.above(100);
    expect(one.pValue).to.be.below(0.001);
    expect(compareLatency(base, shifted)).to.deep.equal(one);
    const same = compareLatency(base, base)!;
    expect(same.pValue).to.be.closeTo(1, 1e-3);
    expect(same.p50.low).to.be.below(0);
    expect(same.p50.high).to.be.above(0);
  });

  it('claims a difference between samples of one distribution in about 5 % of 400 trials', () => {
    const random = seededRandom(2024);
    let claims = 0;
    for (let trial = 0; trial < 400; trial += 1) {
      const draw = () =>
        Array.from({ length: 150 }, () => Math.round(-Math.log(1 - random()) * 50)).sort((x, y) => x - y);
      if (rankTest(draw(), draw()) < 0.05) claims += 1;
    }
    // Binomial(400, 0.05): mean 20, sd 4.4; a broken test (no tie correction on these rounded
    // values, or a one-sided p) lands far outside 8…32.
    expect(claims).to.be.within(8, 32);
  });
});

describe('the claim: a difference both clear and larger than the drift of an unchanged system', () => {
  // 50 requests a window, 5 windows a side; each window's median is given as the ledger would.
  const base = range(0, 250).map((i) => 10 + (i % 5) * 0.5); // 10 … 12 ms
  const baseWindows = [11, 10.5, 11.5, 11, 10.5];
  /** Every request and every window median `by` ms slower than the baseline. */
  const shiftedBy = (by: number) =>
    compareLatency(
      base,
      base.map((v) => v + by),
      {},
      { base: baseWindows, other: baseWindows.map((m) => m + by) },
    )!;

  it('latency: per-window p < 0.05 and a shift past max(25 % of the baseline, 5 ms) → differs', () => {
    // Windows fully apart, 5 vs 5: U = 0, mean 12.5; ties 10.5 ×2 and 11 ×2 on each side,
    // Σ(t³ − t) = 24, var = 25/12 · (11 − 24/90) = 22.361, z = (12.5 − 0.5)/4.7288 = 2.5377,
    // p = erfc(z/√2) = 0.011159 < 0.05. p50 shift +100 ms ≥ max(2.75, 5).
    const slow = shiftedBy(100);
    expect(slow.windowPValue).to.be.closeTo(0.011159, 1e-5);
    expect(slow.tolerance.p50).to.equal(5); // 25 % of p50 11 = 2.75, below the 5 ms floor
    expect(slow.differs).to.equal(true);
  });

  it('latency: as clear, but a 2 ms shift on 11 ms is within the drift → no claim', () => {
    const near = shiftedBy(2);
    expect(near.windowPValue).to.be.closeTo(0.011159, 1e-5);
    expect(near.p95.shift).to.be.closeTo(2, 1e-9);
    expect(near.differs).to.equal(false);
  });

  it('latency: a slow baseline sets a relative tolerance; fewer than 3 windows a side claim nothing', () => {
    const slowBase = base.map((v) => v * 40); // p50 440 ms: tolerance 110 ms
    const windows = { base: baseWindows.map((m) => m * 40), other: baseWindows.map((m) => m * 40 + 100) };
    const by100 = compareLatency(
      slowBase,
      slowBase.map((v) => v + 100),
      {},
      windows,
    )!;
    expect(by100.tolerance.p50).to.be.closeTo(110, 1e-9);
    expect(by100.differs).to.equal(false); // +100 ms < 110 ms, and p95 (+100) < 25 % of 480 = 120
    const twoWindows = compareLatency(
      base,
      base.map((v) => v + 100),
      {},
      { base: [11, 10.5], other: [111, 110] },
    )!;
    expect(twoWindows.windowPValue).to.equal(null);
    expect(twoWindows.differs).to.equal(false);
  });

  it('errors: p < 0.05 and a move past max(25 % of the baseline rate, 0.5 points) → differs', () => {
    const side = (requests: number, failures: number) => ({ sorted: [], requests, failures });
    // 10 → 30 of 1000: p = 0.0014 (above), +2 points ≥ max(0.25 points, 0.5 points).
    const more = compareRates(side(1000, 10), side(1000, 30))!;
    expect(more.tolerance).to.be.closeTo(0.005, 1e-12);
    expect(more.differs).to.equal(true);
    // 1000 → 1100 of 10 000: pooled 0.105, se = √(0.105·0.895·0.0002) = 0.0043353, z = 2.3066,
    // p = 0.0211 < 0.05 — but +1 point is under 25 % of 10 % = 2.5 points: no claim.
    const drift = compareRates(side(10_000, 1000), side(10_000, 1100))!;
    expect(drift.pValue).to.be.closeTo(0.0211, 1e-3);
    expect(drift.tolerance).to.be.closeTo(0.025, 1e-12);
    expect(drift.differs).to.equal(false);
  });
});

describe('every later phase of every ingress against the first', () => {
  it('one comparison per ingress × later phase, from the phase statistics of the ledger', () => {
    const ledger = testLedger([], { ingresses: ['central', 'west'] });
    const send = (at: number, ingress: string, durationMs: number, failed: boolean) =>
      ledger.add(requestSample(at, durationMs, { ingress, failed }));
    ledger.startPhase('baseline', 0);
    for (let i = 0; i < 100; i += 1) send(i * 10, 'central', 10 + i, false); // 10…109 ms
    ledger.startPhase('fault', 1000);
    for (let i = 0; i < 100; i += 1) send(1000 + i * 10, 'central', 510 + i, i < 20); // 510…609 ms, 20 failed
    ledger.startPhase('recovery', 2000);
    ledger.endPhases(3000);
    const comparisons = baselineComparisons(ledger, ['central', 'west']);
    expect(comparisons.map((c) => `${c.ingress}/${c.phase} vs ${c.baseline}`)).to.deep.equal([
      'central/fault vs baseline',
      'central/recovery vs baseline',
      'west/fault vs baseline',
      'west/recovery vs baseline',
    ]);
    const fault = comparisons[0]!;
    // p95 index 99·0.95 = 94.05: baseline 104 + 0.05 = 104.05, fault 604.05 → shift 500.
    expect(fault.latency!.p95.shift).to.be.closeTo(500, 1e-9);
    expect(fault.errors!.difference).to.be.closeTo(0.2, 1e-12);
    expect(fault.latency!.pValue).to.be.below(0.001);
    expect(fault.latency!.windowPValue).to.equal(null); // no windows given
    expect(comparisons[1]!.latency).to.equal(null); // recovery had no requests
    expect(comparisons[2]!.errors).to.equal(null); // west had none at all
  });
});

describe('the rank test with windows as units', () => {
  it("ranks the windows' medians, and needs 3 windows a side", () => {
    // Medians [1,2,3] vs [4,5,6]: the same U = 0 and p = 0.0808556 as the request-level example.
    expect(windowRankTest([3, 1, 2], [6, 4, 5])).to.be.closeTo(0.0808556, 1e-6);
    expect(windowRankTest([1, 2], [4, 5, 6])).to.equal(null);
  });

  it('baselineComparisons takes the windows of each phase × ingress with requests', () => {
    const ledger = testLedger([]);
    ledger.startPhase('baseline', 0);
    ledger.add(requestSample(10, 10, { servedBy: 'c' }));
    ledger.startPhase('fault', 1000);
    ledger.add(requestSample(1010, 20, { servedBy: 'c' }));
    ledger.endPhases(2000);
    const window = (phase: string, p50: number | null, requests = 5) => ({ phase, ingress: 'central', requests, p50 });
    const windows = [
      ...[1, 2, 3].map((m) => window('baseline', m)),
      window('baseline', null, 0), // an empty window is not a unit
      ...[4, 5, 6].map((m) => window('fault', m)),
      { ...window('fault', 0.5), ingress: 'west' }, // another ingress's
    ];
    const [fault] = baselineComparisons(ledger, ['central'], windows);
    expect(fault!.latency!.windowPValue).to.be.closeTo(0.0808556, 1e-6);
  });
});
