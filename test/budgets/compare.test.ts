/**
 * The baseline comparison. Expected p-values are worked out by hand from the textbook formulas
 * (Mann-Whitney U with tie and continuity correction; Fisher's exact test from the hypergeometric
 * probabilities; Wilson and Newcombe intervals) and evaluated with an independent erfc (Python's
 * math.erfc), the numbers copied here with their working, or taken from the cited reference.
 */
import { expect } from 'chai';
import { bootstrapShifts, seededRandom } from '../../src/budgets/bootstrap.js';
import { compareLatency, compareRates, rankTest, windowRankTest } from '../../src/budgets/compare.js';
import { fisherExact, newcombeInterval, wilsonInterval } from '../../src/budgets/proportions.js';
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

  it("two proportions: Fisher's exact test, from the hypergeometric probabilities", () => {
    // 0 of 10 vs 3 of 10: P(k of the 3 failures in the first) = C(10,k)·C(10,3−k)/C(20,3), C(20,3) = 1140:
    // 120, 450, 450, 120 (/1140). Two-sided: every table at most as probable as k = 0 → 240/1140.
    expect(fisherExact(0, 10, 3, 10)).to.be.closeTo(240 / 1140, 1e-12);
    // Fisher's tea tasting, 3 of 4 vs 1 of 4: C(4,k)·C(4,4−k)/70 = 1, 16, 36, 16, 1 → (1+16+16+1)/70.
    expect(fisherExact(3, 4, 1, 4)).to.be.closeTo(34 / 70, 1e-12);
    expect(fisherExact(0, 420, 0, 840)).to.equal(1);
    expect(fisherExact(420, 420, 840, 840)).to.equal(1);
  });

  it('two proportions: Wilson intervals and the Newcombe interval of the difference', () => {
    // Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10: 56/70 − 48/80 = 0.2, [0.0524, 0.3339].
    const { low, high } = newcombeInterval(48, 80, 56, 70);
    expect(low).to.be.closeTo(0.0524, 5e-5);
    expect(high).to.be.closeTo(0.3339, 5e-5);
    // 0 of n: the Wilson upper end is z²/(n + z²), z = 1.959964: 3.841459/423.841459 = 0.0090634.
    expect(wilsonInterval(0, 420).high).to.be.closeTo(3.841459 / 423.841459, 1e-7);
    expect(wilsonInterval(0, 420).low).to.equal(0);
  });

  it('two proportions: 0 of 420 vs 0 of 840 is p = 1 with an interval that is not [0, 0]', () => {
    // Newcombe with both rates 0: low = −u₁ (0/420: 0.0090634), high = u₂ (0/840: 3.841459/843.841459 = 0.0045523).
    const none = compareRates({ sorted: [], requests: 420, failures: 0 }, { sorted: [], requests: 840, failures: 0 })!;
    expect(none.pValue).to.equal(1);
    expect(none.low).to.be.closeTo(-0.0090634, 1e-7);
    expect(none.high).to.be.closeTo(0.0045523, 1e-7);
    expect(compareRates({ sorted: [], requests: 0, failures: 0 }, { sorted: [], requests: 5, failures: 1 })).to.equal(
      null,
    );
  });

  it("two proportions: 0 of 420 vs 2 of 440 — the exact p (0.50), not the z-test's 0.17", () => {
    // 2 failures among 860: P(base has 0) = C(440,2)/C(860,2) = 193160/738740 = 0.261473,
    // P(1) = 420·440/369370 = 0.500311, P(2) = C(420,2)/C(860,2) = 175980/738740 = 0.238216.
    // Two-sided: P(0) + P(2) = 0.499689. (The pooled z-test said z = 1.3833, p = 0.1666.)
    const result = compareRates(
      { sorted: [], requests: 420, failures: 0 },
      { sorted: [], requests: 440, failures: 2 },
    )!;
    expect(result.pValue).to.be.closeTo((193160 + 175980) / 738740, 1e-9);
    expect(result.difference).to.be.closeTo(2 / 440, 1e-12);
    expect(result.differs).to.equal(false);
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
  const windowsOf = (p50: number[], p95 = p50.map((m) => m + 1)) => ({ p50, p95 });
  /** Every request and every window median `by` ms slower than the baseline. */
  const shiftedBy = (by: number) =>
    compareLatency(
      base,
      base.map((v) => v + by),
      {},
      { base: windowsOf(baseWindows), other: windowsOf(baseWindows.map((m) => m + by)) },
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
    const windows = {
      base: windowsOf(baseWindows.map((m) => m * 40)),
      other: windowsOf(baseWindows.map((m) => m * 40 + 100)),
    };
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
      { base: windowsOf([11, 10.5]), other: windowsOf([111, 110]) },
    )!;
    expect(twoWindows.windowPValue).to.equal(null);
    expect(twoWindows.differs).to.equal(false);
  });

  it('errors: p < 0.05 and a move past max(25 % of the baseline rate, 0.5 points) → differs', () => {
    const side = (requests: number, failures: number) => ({ sorted: [], requests, failures });
    // 10 → 30 of 1000: clear (the z-test alone gives p = 0.0014), +2 points ≥ max(0.25 points, 0.5 points).
    const more = compareRates(side(1000, 10), side(1000, 30))!;
    expect(more.tolerance).to.be.closeTo(0.005, 1e-12);
    expect(more.differs).to.equal(true);
    // 1000 → 1100 of 10 000: p < 0.05 (the z-test gives 0.0211; at these counts the exact test
    // agrees within a few thousandths) — but +1 point is under 25 % of 10 % = 2.5 points: no claim.
    const drift = compareRates(side(10_000, 1000), side(10_000, 1100))!;
    expect(drift.pValue).to.be.closeTo(0.0211, 3e-3);
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

  it('the windows are cut by send time inside each phase: none mixes phases (issue 26, item 5)', () => {
    // Baseline [0, 3500): a request every 100 ms taking 10 ms; fault [3500, 7000): every 100 ms, 500 ms.
    // The run's live window [3000, 4000) is labelled baseline by its start and holds 5 fault requests
    // (its median would be 255 ms). The comparison's windows start at each phase's own start:
    // baseline [0,1000) [1000,2000) [2000,3000) [3000,3500); fault [3500,4500) … [6500,7000)
    // (a last window of 500 ms is half a window: kept).
    const ledger = testLedger([]);
    ledger.startPhase('baseline', 0);
    for (let t = 0; t < 3500; t += 100) ledger.add(requestSample(t, 10));
    ledger.startPhase('fault', 3500);
    for (let t = 3500; t < 7000; t += 100) ledger.add(requestSample(t, 500));
    ledger.endPhases(7000);
    const [baseline, fault] = ledger.phaseList();
    expect(ledger.windowStatistics(baseline!, 'central').p50).to.deep.equal([10, 10, 10, 10]);
    expect(ledger.windowStatistics(fault!, 'central').p50).to.deep.equal([500, 500, 500, 500]);
    // 4 vs 4 apart: U = 0, mean 8; ties Σ(t³ − t) = 60 + 60; var = 16/12 · (9 − 120/56) = 9.142857,
    // z = 7.5/3.023716 = 2.480392, p = erfc(z/√2) = 0.0131238.
    const [comparison] = baselineComparisons(ledger, ['central']);
    expect(comparison!.latency!.windowPValue).to.be.closeTo(0.0131238, 1e-6);
    expect(comparison!.latency!.differs).to.equal(true);
  });

  it('a last window shorter than half a window is left out', () => {
    const ledger = testLedger([]);
    ledger.startPhase('baseline', 0);
    for (let t = 0; t < 3400; t += 100) ledger.add(requestSample(t, t < 3000 ? 10 : 900));
    ledger.endPhases(3400);
    // [3000, 3400) is 400 ms < 500 ms: its 900 ms requests are no window of their own.
    expect(ledger.windowStatistics(ledger.phaseList()[0]!, 'central').p50).to.deep.equal([10, 10, 10]);
  });
});

describe('the claim tests the statistic it prints (issue 26, item 6)', () => {
  // The median of every window is unchanged; each window's p95 rose by 200 ms.
  // Sorted, as the ledger hands them over.
  const base = range(0, 250).map((i) => (i < 225 ? 10 : 50));
  const other = range(0, 250).map((i) => (i < 225 ? 10 : 250));
  const windows = {
    base: { p50: [10, 10, 10, 10, 10], p95: [50, 51, 52, 53, 54] },
    other: { p50: [10, 10, 10, 10, 10], p95: [250, 251, 252, 253, 254] },
  };

  it("a p95 rise seen in every window's p95 is claimed, by p95, though the medians did not move", () => {
    const result = compareLatency(base, other, {}, windows)!;
    // Medians: all ten equal → var 0 → p = 1. p95s 5 vs 5 apart, no ties: var = 25/12 · 11 = 22.9167,
    // z = 12/4.787136 = 2.506718, p = 0.0121858.
    expect(result.windowPValue).to.equal(1);
    expect(result.windowP95PValue).to.be.closeTo(0.0121858, 1e-6);
    // The phases' p95 (k6's: index 249·0.95 = 236.55; the 25 slow values hold ranks 225…249): 50 → 250,
    // +200 ms, past max(25 % of 50, 5) = 12.5 ms; the p50 (10 → 10) did not move.
    expect(result.p95.shift).to.be.closeTo(200, 1e-9);
    expect(result.p50.shift).to.equal(0);
    expect(result.differsBy).to.deep.equal(['p95']);
    expect(result.differs).to.equal(true);
  });

  it('a p95 shift whose per-window p95s overlap is no claim, however tight its request-level interval', () => {
    const mixed = { ...windows, other: { p50: windows.other.p50, p95: [50, 251, 52, 253, 54] } };
    const result = compareLatency(base, other, {}, mixed)!;
    expect(result.windowP95PValue).to.be.above(0.05);
    expect(result.differs).to.equal(false);
  });
});

describe('the tolerance is a setting (issue 26, item 11)', () => {
  it('a +50 % median shift is claimed with the calibrated 25 %, not with a tolerance of 60 %', () => {
    const base = range(0, 250).map((i) => 20 + (i % 5)); // p50 22
    const windows = (by: number) => ({ p50: [22, 21, 23, 22, 21].map((m) => m + by), p95: [24, 24, 24, 24, 24] });
    const slower = base.map((v) => v + 11); // +11 ms = 50 % of 22
    const sides = { base: windows(0), other: windows(11) };
    expect(compareLatency(base, slower, {}, sides)!.differs).to.equal(true);
    const loose = { relative: 0.6, latencyFloorMs: 5, errorFloor: 0.005 };
    const relaxed = compareLatency(base, slower, { tolerance: loose }, sides)!;
    expect(relaxed.tolerance.p50).to.be.closeTo(0.6 * 22, 1e-9);
    expect(relaxed.differs).to.equal(false);
  });
});
