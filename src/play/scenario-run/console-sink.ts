import type { WindowSummary } from '../../budgets/ledger.js';
import { renderEvent, renderProgress } from '../../report/render-console.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import type { RunEventSink } from '../../run/record/run-events.js';

/** The console as a sink of run events: one line per event, one progress line per round of windows. */
export function consoleSink(plan: RunPlan, startedAt: number, say: (text: string) => void): RunEventSink {
  let phase: { name: string; startedAtMs: number; plannedMs: number } | undefined;
  let pending: WindowSummary[] = [];
  return (event) => {
    if (event.type === 'phase-started')
      phase = { name: event.phase, startedAtMs: event.atMs, plannedMs: event.plannedMs };
    if (event.type === 'window') {
      pending.push(event.window);
      if (new Set(pending.map((window) => window.ingress)).size >= plan.load.length) {
        say(renderProgress(phase, pending, Date.now()));
        pending = [];
      }
      return;
    }
    const line = renderEvent(event, startedAt);
    if (line) say(line);
  };
}
