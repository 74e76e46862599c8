/**
 * Who serves each ingress on the game-day screen and in gameday.md (pure): the remote share is
 * the part of the requests with a known server that another cluster than the ingress's own
 * answered; the expected numbers below are worked out from that rule by hand.
 */
import { expect } from 'chai';
import { renderTimeline } from '../../../src/play/gameday/render-timeline.js';
import { renderView } from '../../../src/play/gameday/render-view.js';
import { servedTurns, type ServedWindow } from '../../../src/play/gameday/served-timeline.js';
import { applyEvent, createViewState } from '../../../src/play/gameday/view-state.js';
import type { WindowSummary } from '../../../src/budgets/ledger.js';
import { describeServedBy, remoteShare } from '../../../src/report/served-by-shares.js';

const t0 = Date.UTC(2026, 10, 22, 2, 0, 0);
const clusters = ['central', 'west'];

function window(ingress: string, second: number, servedBy: Record<string, number>, phase = 'fault'): WindowSummary {
  const requests = Object.values(servedBy).reduce((a, b) => a + b, 0);
  return {
    ingress,
    startMs: t0 + second * 1000,
    endMs: t0 + (second + 1) * 1000,
    phase,
    planned: null,
    requests,
    iterations: requests,
    failures: 0,
    errorRate: 0,
    p50: 10,
    p95: 20,
    p99: 30,
    max: 40,
    min: 5,
    avg: 12,
    statusClasses: {},
    servedBy,
    dropped: 0,
    breaches: [],
    withinBaseline: true,
  };
}

describe('game day: who serves each ingress', () => {
  it('the remote share counts only requests whose serving cluster is known', () => {
    expect(remoteShare('central', { requests: 20, servedBy: { central: 8, west: 12 } }, clusters)).to.equal(0.6);
    // 10 unknown are left out: 5 of the 10 known went to west.
    expect(remoteShare('central', { requests: 20, servedBy: { central: 5, west: 5, unknown: 10 } }, clusters)).to.equal(
      0.5,
    );
    expect(remoteShare('central', { requests: 20, servedBy: { 'not measured': 20 } }, clusters)).to.equal(null);
    expect(describeServedBy({ requests: 20, servedBy: { central: 8, west: 12 } })).to.equal('west 60% central 40%');
    expect(describeServedBy({ requests: 20, servedBy: { 'not measured': 20 } })).to.equal('not measured');
  });

  it('the screen shows per ingress a sparkline of the remote share, its newest value and the newest shares', () => {
    const state = createViewState({
      title: 'frontend-zero on lab',
      runId: 'r1',
      startedAtMs: t0,
      phases: [{ name: 'fault', plannedMs: 60_000, faults: [] }],
      ingresses: ['central', 'west'],
      clusters,
    });
    applyEvent(state, { type: 'window', atMs: t0 + 1000, window: window('central', 0, { central: 8, west: 12 }) });
    applyEvent(state, { type: 'window', atMs: t0 + 1000, window: window('west', 0, { west: 20 }) });
    applyEvent(state, { type: 'window', atMs: t0 + 2000, window: window('central', 1, { west: 20 }) });
    applyEvent(state, { type: 'window', atMs: t0 + 2000, window: window('west', 1, { west: 19, unknown: 1 }) });
    const text = renderView(state, t0 + 2500, 140, 50, { color: false }).join('\n');
    expect(text).to.match(/SERVED BY\s+remote share\s+now/);
    // 0.6 of the full block scale is the 5th of 8 blocks (round(0.6 × 7) = 4 → ▅), 1.0 the last (█).
    expect(text).to.match(/\ncentral\s+▅█\s+100%\s+west 100%\n/);
    // west: nothing remote (the unknown request is not counted): ▁▁ and 0%; shares of every request.
    expect(text).to.match(/\nwest\s+▁▁\s+0%\s+west 95% unknown 5%\n/);
  });

  it('gameday.md marks each turn to other clusters and back, held for two windows, and the shares per step', () => {
    const served = (second: number, central: number, west: number, phase = 'fault'): ServedWindow =>
      window('central', second, { central, west }, phase);
    const windows = [
      served(0, 20, 0, 'baseline'),
      served(1, 20, 0, 'baseline'),
      served(2, 6, 14), // 70 % remote, but alone: no turn
      served(3, 14, 6),
      served(4, 0, 20),
      served(5, 0, 20), // two in a row: the turn is at 4 s
      served(6, 18, 2),
      served(7, 20, 0), // back at 6 s: central 38 of 40 = 95 %
    ];
    expect(servedTurns(windows, clusters)).to.deep.equal([
      { atMs: t0, text: 'ingress **central** served by central 100%' },
      {
        atMs: t0 + 4000,
        text: 'ingress **central** now served mostly by other clusters: west 100% (remote 100%)',
      },
      { atMs: t0 + 6000, text: 'ingress **central** served by its own cluster again: central 95% west 5%' },
    ]);
    const text = renderTimeline(
      [{ type: 'run-started', atMs: t0, runId: 'r1', scenario: 'frontend-zero', environment: 'lab' }],
      undefined,
      { windows, clusters },
    );
    expect(text).to.include(
      '| +00:04 | 2026-11-22 02:00:04Z | ingress **central** now served mostly by other clusters: west 100% (remote 100%) |',
    );
    expect(text).to.include('## Who served each ingress');
    expect(text).to.include('| baseline | central | central 100% | 0% `▁▁` |');
    // fault: central 58, west 62 of 120 → west 52% central 48%; remote per window 0.7 0.3 1 1 0.1 0,
    // on blocks ▁▂▃▄▅▆▇█ = round(share × 7): 5 2 7 7 1 0 → ▆▃██▂▁.
    expect(text).to.include('| fault | central | west 52% central 48% | 52% `▆▃██▂▁` |');
  });
});
