/** The game-day screen and timeline renderers (pure). */
import { expect } from 'chai';
import { renderTimeline } from '../../../src/play/gameday/render-timeline.js';
import { renderView } from '../../../src/play/gameday/render-view.js';
import { sparkline } from '../../../src/report/sparkline.js';
import { applyEvent, createViewState } from '../../../src/play/gameday/view-state.js';
import type { JournalEntry } from '../../../src/run/record/run-events.js';
import { colorEnabled } from '../../../src/system/io.js';

const t0 = Date.UTC(2026, 10, 22, 2, 0, 0);
const plain = (lines: string[]) => lines.join('\n').replace(/\x1b\[[0-9;]*m/g, '');

describe('game day: renderers', () => {
  it('sparklines scale to the largest value and leave gaps for windows without data', () => {
    expect(sparkline([0, 5, 10], 3)).to.equal('▁▅█');
    expect(sparkline([1, null, 1], 5, 2)).to.equal('  ▅ ▅');
  });

  it('the screen shows phase and timer, fault states, one plot row per ingress, notes and the keys', () => {
    const state = createViewState({
      title: 'frontend-zero on lab',
      runId: 'r1',
      startedAtMs: t0,
      phases: [
        { name: 'baseline', plannedMs: 20_000, faults: [] },
        { name: 'fault', plannedMs: 40_000, faults: ['scale-1@central'] },
      ],
      ingresses: ['central', 'west'],
      clusters: ['central', 'west'],
    });
    applyEvent(state, { type: 'phase-started', atMs: t0 + 1_000, phase: 'fault', plannedMs: 40_000 });
    applyEvent(state, {
      type: 'fault-applied',
      atMs: t0 + 1_500,
      phase: 'fault',
      faultId: 'scale-1',
      cluster: 'central',
      effectiveAtMs: t0 + 2_500,
    });
    for (const ingress of ['central', 'west']) {
      applyEvent(state, {
        type: 'window',
        atMs: t0 + 3_000,
        window: {
          ingress,
          startMs: t0 + 2_000,
          planned: null,
          endMs: t0 + 3_000,
          phase: 'fault',
          requests: 20,
          iterations: 20,
          failures: 1,
          errorRate: 0.05,
          p50: 10,
          p95: 120,
          p99: 130,
          max: 140,
          min: 5,
          avg: 20,
          statusClasses: {},
          servedBy: {},
          dropped: 0,
          breaches: [],
          withinBaseline: false,
        },
      });
    }
    applyEvent(state, { type: 'note', atMs: t0 + 4_000, text: 'west takes over' });
    state.held = true;
    const text = plain(renderView(state, t0 + 11_000, 140, 50));
    expect(text).to.match(/PHASE\s+fault \(2 of 2\)\s+HELD\s+00:10/);
    expect(text).to.match(/STEPS\s+baseline ✓ → \[fault\]/);
    expect(text).to.match(/APPLIED\s+scale-1@central at \+00:01\s+\(effective after 1\.0s\)/);
    expect(text).to.match(/central\s+█\s+20\.0\s+█\s+5\.0%\s+█\s+120/);
    expect(text).to.match(/\+00:04\s+west takes over/);
    expect(text).to.include('[X] REVERT EVERYTHING');
    // On a small terminal the keys stay on screen, on the last line.
    const small = renderView(state, t0 + 11_000, 80, 20);
    expect(small).to.have.length(20);
    expect(plain([small[19]!])).to.match(
      /^ \[X\] REVERT EVERYTHING\s+\[n\] next \[h\] hold \[r\] revert step \[m\] note \[q\] abort$/,
    );
    // NO_COLOR (or a terminal without colours): the same screen, not one escape sequence in it.
    const coloured = renderView(state, t0 + 11_000, 140, 50);
    const uncoloured = renderView(state, t0 + 11_000, 140, 50, { color: false });
    expect(coloured.join('\n')).to.include('\x1b[');
    expect(uncoloured.join('\n')).to.not.include('\x1b');
    expect(uncoloured.join('\n')).to.equal(plain(coloured));
  });

  it('colour follows NO_COLOR (set and not empty), the terminal and TERM=dumb', () => {
    expect(colorEnabled({}, true)).to.equal(true);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).to.equal(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).to.equal(true);
    expect(colorEnabled({}, false)).to.equal(false);
    expect(colorEnabled({ TERM: 'dumb' }, true)).to.equal(false);
  });

  it("gameday.md lists the real step times, the facilitator's actions and the notes with their times", () => {
    const journal: JournalEntry[] = [
      { type: 'run-started', atMs: t0, runId: 'r1', scenario: 'frontend-zero', environment: 'lab' },
      { type: 'phase-started', atMs: t0 + 1_000, phase: 'baseline', plannedMs: 20_000 },
      { type: 'log', atMs: t0 + 9_000, level: 'info', message: 'facilitator: next: phase baseline ends now' },
      { type: 'phase-started', atMs: t0 + 9_000, phase: 'fault', plannedMs: 40_000 },
      { type: 'note', atMs: t0 + 65_000, text: 'p95 | up to 300 ms' },
      { type: 'log', atMs: t0 + 66_000, level: 'warn', message: 'k6: something' },
    ];
    const text = renderTimeline(journal, { status: 'passed', reason: 'all 4 budget verdicts passed' });
    expect(text).to.include('# Game day: frontend-zero on lab (run r1)');
    expect(text).to.include('| +00:09 | 2026-11-22 02:00:09Z | **step fault** started (planned 40s) |');
    expect(text).to.include('| +00:09 | 2026-11-22 02:00:09Z | 🎛 facilitator: next: phase baseline ends now |');
    expect(text).to.include('| +01:05 | 2026-11-22 02:01:05Z | 📝 **note**: p95 \\| up to 300 ms |');
    expect(text).not.to.include('k6: something');
    expect(text).to.include('1 note. Outcome: **passed**');
  });
});
