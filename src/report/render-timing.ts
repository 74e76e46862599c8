/** Console lines for transitions, time to impact and recover, and load not delivered. Pure. */
import { describeDelivery } from '../budgets/delivery.js';
import type { RunOutcome } from '../run/judge/judge-run.js';
import { formatTimeTo } from '../run/judge/timing.js';

export function timingLines(outcome: RunOutcome): string[] {
  const transitions =
    outcome.transitions.length === 0
      ? []
      : [
          `  transitions (judged by no budget): ${outcome.transitions.map((t) => `${t.name} ${formatTimeTo({ kind: 'measured', ms: t.durationMs })}`).join(', ')}`,
        ];
  const timings = outcome.timings.map(
    (t) =>
      `  ${t.ingress}: time to impact ${formatTimeTo(t.timeToImpact)}, time to recover ${formatTimeTo(t.timeToRecover)}`,
  );
  const short = outcome.delivery
    .filter((d) => d.outcome === 'under-delivered')
    .map((d) => `  ${d.phase}/${d.ingress}: load not delivered: ${describeDelivery(d)} — inconclusive`);
  return [...transitions, ...timings, ...short];
}
