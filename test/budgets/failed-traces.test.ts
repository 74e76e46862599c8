/**
 * Each window keeps the W3C trace ids of its first failed requests, bounded, so a failed request
 * can be found in the mesh's traces; successful requests and requests without a trace id add none.
 */
import { expect } from 'chai';
import { maxFailedTraceIds } from '../../src/budgets/ledger.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import { requestSample, testLedger } from '../support/ledger-kit.js';

const traced = (sentMs: number, failed: boolean, traceId?: string): LoadSample => ({
  ...(requestSample(sentMs, 5, { failed }) as Extract<LoadSample, { kind: 'request' }>),
  ...(traceId ? { traceId } : {}),
});

describe('the ledger: trace ids of failed requests per window', () => {
  it('keeps the first failed ones of each window, at most ten, and nothing for a window without failures', () => {
    expect(maxFailedTraceIds).to.equal(10);
    const ledger = testLedger([]);
    ledger.startPhase('fault', 0);
    // Window 0 (0–1000 ms): 15 failed with ids f0…f14, 5 passed with ids, 1 failed without one.
    for (let i = 0; i < 15; i += 1) ledger.add(traced(i * 50, true, `f${i}`));
    for (let i = 0; i < 5; i += 1) ledger.add(traced(800 + i * 10, false, `p${i}`));
    ledger.add(traced(900, true));
    // Window 1: only passed requests. Window 2: two failed.
    for (let i = 0; i < 5; i += 1) ledger.add(traced(1000 + i * 100, false, `q${i}`));
    ledger.add(traced(2100, true, 'g0'));
    ledger.add(traced(2200, true, 'g1'));
    ledger.endPhases(3000);
    const windows = ledger.closeWindows(3000);
    expect(windows.map((w) => w.failedTraceIds)).to.deep.equal([
      ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9'],
      undefined,
      ['g0', 'g1'],
    ]);
    expect(windows.map((w) => w.failures)).to.deep.equal([16, 0, 2]);
  });
});
