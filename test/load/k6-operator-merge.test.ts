/**
 * Distributed load is judged over all runners together: the samples of N runners, arriving
 * interleaved and out of order (each runner's stream has its own delay), give the same
 * windows, phase statistics, percentiles and verdicts as one runner producing the same samples
 * in order. Pure: the ledger only.
 */
import { expect } from 'chai';
import { Ledger, type LedgerOptions } from '../../src/budgets/ledger.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import { seededRandom as random } from '../../src/system/random.js';
import { budget } from '../support/ledger-kit.js';

const options = (): LedgerOptions => ({
  ingresses: ['central', 'west'],
  windowMs: 250,
  method: 'GET',
  originMs: 0,
  budgets: [
    budget('all', 'http_req_failed', 'rate<0.05'),
    budget('all', 'http_req_duration', 'p(95)<300'),
    budget('fault', 'http_req_duration{served_by:west}', 'p(99)<400'),
  ],
  abortLimits: [
    {
      selector: budget('all', 'http_req_failed', 'rate<0.5').selector,
      threshold: budget('all', 'http_req_failed', 'rate<0.5').threshold,
    },
  ],
});

const phases: Array<[string, number]> = [
  ['baseline', 0],
  ['fault', 4_000],
  ['recovery', 8_000],
];
const endMs = 12_000;

/** 12 s of load at 400 requests/s per ingress; the fault phase is slower and fails more. */
function makeSamples(): Array<LoadSample & { kind: 'request' }> {
  const next = random(7);
  const samples: Array<LoadSample & { kind: 'request' }> = [];
  for (let i = 0; i < 9_600; i += 1) {
    const timeMs = (i * endMs) / 9_600 + next();
    const fault = timeMs >= 4_000 && timeMs < 8_000;
    const ingress = next() < 0.5 ? 'central' : 'west';
    const servedBy = fault && ingress === 'central' ? 'west' : ingress;
    const failed = next() < (fault ? 0.08 : 0.01);
    const durationMs = Math.exp(2.5 + next() * (fault ? 3.5 : 2.5));
    samples.push({
      kind: 'request',
      timeMs,
      sentMs: timeMs - durationMs,
      reached: true,
      ingress,
      servedBy,
      status: failed ? 503 : 200,
      path: next() < 0.5 ? '/' : '/home',
      failed,
      durationMs,
    });
  }
  return samples;
}

/** What the runner feeds the ledger; windows close `lagMs` behind the newest time seen, as the timeline does. */
function digest(arrivals: Array<{ arrivesAtMs: number; sample: LoadSample }>, lagMs: number) {
  const ledger = new Ledger(options());
  let phase = 0;
  for (const { arrivesAtMs, sample } of [...arrivals].sort((a, b) => a.arrivesAtMs - b.arrivesAtMs)) {
    while (phase < phases.length && phases[phase]![1] <= arrivesAtMs) {
      ledger.startPhase(phases[phase]![0], phases[phase]![1]);
      phase += 1;
    }
    ledger.closeWindows(arrivesAtMs - lagMs);
    ledger.add(sample);
  }
  ledger.endPhases(endMs);
  ledger.closeWindows(endMs + 250);
  return ledger;
}

/** Compares summaries field by field; the average is a float sum, so order may move its last bits. */
function expectSameStats(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string) {
  for (const [key, value] of Object.entries(expected)) {
    if (key === 'avg' && typeof value === 'number')
      expect(actual[key] as number, `${where} ${key}`).to.be.closeTo(value, Math.abs(value) * 1e-12);
    else expect(actual[key], `${where} ${key}`).to.deep.equal(value);
  }
}

describe('distributed load: samples of several runners merge into one judgement', () => {
  const samples = makeSamples();
  const single = digest(
    samples.map((sample) => ({ arrivesAtMs: sample.timeMs, sample })),
    700,
  );

  for (const runners of [2, 4, 7]) {
    it(`${runners} runners, each with its own stream delay and order, give the same windows, percentiles and verdicts as one runner`, () => {
      const next = random(runners);
      const delays = Array.from({ length: runners }, () => 200 + next() * 2_500);
      // k6-operator splits the arrival schedule by execution segment; any split must give the same answer.
      const arrivals = samples.map((sample, index) => {
        const runner = index % runners;
        return { arrivesAtMs: sample.timeMs + delays[runner]! + next() * 300, sample };
      });
      // Windows wait for the slowest stream (the operator runner's window lag), so none is late.
      const merged = digest(arrivals, 3_500);
      expect(merged.lateSamples).to.equal(0);
      expect(merged.samples).to.equal(single.samples);

      expect(merged.windows.length).to.equal(single.windows.length);
      merged.windows.forEach((window, index) => {
        // Everything must be equal, the window's phase label included: a window is labelled by the
        // phase its start falls in (src/budgets/ledger.ts), whatever order its samples arrived in.
        expect(window.phase, `phase of window ${window.ingress}@${window.startMs}`).to.equal(
          single.windows[index]!.phase,
        );
        expectSameStats(
          window as unknown as Record<string, unknown>,
          single.windows[index] as unknown as Record<string, unknown>,
          `window ${window.ingress}@${window.startMs}`,
        );
      });

      const mergedPhases = merged.phaseSummaries();
      single.phaseSummaries().forEach((expected, index) => {
        const actual = mergedPhases[index]!;
        expect([actual.phase, actual.ingress, actual.startMs, actual.endMs]).to.deep.equal([
          expected.phase,
          expected.ingress,
          expected.startMs,
          expected.endMs,
        ]);
        expectSameStats(
          actual.stats as unknown as Record<string, unknown>,
          expected.stats as unknown as Record<string, unknown>,
          `${expected.phase}/${expected.ingress}`,
        );
      });

      expect(merged.verdicts()).to.deep.equal(single.verdicts());
    });
  }

  it('the merged percentiles are the percentiles of all samples together (within 1 %), not of any one runner', () => {
    const merged = digest(
      samples.map((sample, index) => ({ arrivesAtMs: sample.timeMs + (index % 3) * 900, sample })),
      3_500,
    );
    const fault = merged.phaseSummaries().find((s) => s.phase === 'fault' && s.ingress === 'central')!.stats;
    // A request counts for the phase it was sent in: k6 stamps the end, so sent = end - duration.
    const values = samples
      .filter((s) => s.ingress === 'central' && s.timeMs - s.durationMs >= 4_000 && s.timeMs - s.durationMs < 8_000)
      .map((s) => s.durationMs)
      .sort((a, b) => a - b);
    const exact = (p: number) => values[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]!;
    expect(fault.requests).to.equal(values.length);
    for (const [p, value] of [
      [50, fault.p50],
      [95, fault.p95],
      [99, fault.p99],
    ] as const) {
      expect(Math.abs(value! - exact(p)) / exact(p), `p${p}`).to.be.below(0.01);
    }
  });
});
