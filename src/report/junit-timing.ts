/** JUnit properties for transitions, time to impact / recover and delivered load. Pure. */
import type { RunResult } from './result-schema.js';

export function timingProperties(result: RunResult): Array<[string, string]> {
  const transitions = (result.transitions ?? []).map((t): [string, string] => [
    `transition.${t.name}.durationMs`,
    String(t.durationMs),
  ]);
  const timings = result.timings.flatMap((t): Array<[string, string]> => [
    [
      `ingress.${t.ingress}.timeToImpact`,
      t.timeToImpactMs === null ? (t.impact ?? 'not measured') : `${t.timeToImpactMs}ms`,
    ],
    [
      `ingress.${t.ingress}.timeToRecover`,
      t.timeToRecoverMs === null ? (t.recovery ?? 'not measured') : `${t.timeToRecoverMs}ms`,
    ],
  ]);
  const delivery = (result.delivery ?? [])
    .filter((d) => d.outcome === 'under-delivered')
    .map((d): [string, string] => [
      `delivery.${d.phase}.${d.ingress}`,
      `under-delivered: started ${d.started ?? d.sent} of ${d.planned} planned iterations, ${d.dropped} dropped; ${d.sent} requests sent`,
    ]);
  return [...transitions, ...timings, ...delivery];
}
