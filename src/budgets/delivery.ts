/**
 * Delivered load: did a phase get the iterations the scenario planned? Like is compared with
 * like: planned = rate × the phase's judged duration, in iterations (`load.rate` is iterations a
 * second: one request each for the built-in load, a whole journey for a script); started =
 * iterations the load began in it (the script marks each at its start); dropped = iterations k6
 * could not start (no free VU). Requests sent are reported beside them, never counted against
 * the plan: a journey of 1.4 requests would read "delivered 1.39", and a 5-request one would look
 * delivered with a fifth of its iterations run. A phase × ingress that started less than
 * `minDelivered` of its plan cannot support a verdict: it is inconclusive. Pure.
 */
import type { StatsSummary } from './stats.js';

export interface Delivery {
  phase: string;
  ingress: string;
  /** Iterations planned: rate × judged length. */
  planned: number;
  /** Iterations started in the phase (by their start time). */
  started: number;
  /** Requests sent in the phase (any outcome): reported, not compared with the plan. */
  sent: number;
  dropped: number;
  /** started / planned; null when nothing was planned (a phase of zero length). */
  delivered: number | null;
  /** The share of the plan this phase had to deliver. */
  minDelivered: number;
  outcome: 'delivered' | 'under-delivered';
}

export function deliveryOf(
  entry: { phase: string; ingress: string; startMs: number; endMs: number; stats: StatsSummary },
  ratePerSecond: number,
  minDelivered: number,
): Delivery {
  const planned = Math.floor((ratePerSecond * (entry.endMs - entry.startMs)) / 1000);
  const started = entry.stats.iterations;
  const delivered = planned > 0 ? started / planned : null;
  return {
    phase: entry.phase,
    ingress: entry.ingress,
    planned,
    started,
    sent: entry.stats.requests,
    dropped: entry.stats.dropped,
    delivered,
    minDelivered,
    outcome: delivered === null || delivered >= minDelivered ? 'delivered' : 'under-delivered',
  };
}

/** "started 412 of 1500 planned iterations (27 %), 1088 dropped; 580 requests sent" */
export function describeDelivery(delivery: Delivery): string {
  const share = delivery.delivered === null ? 'n/a' : `${Math.round(delivery.delivered * 100)} %`;
  return `started ${delivery.started} of ${delivery.planned} planned iterations (${share}), ${delivery.dropped} dropped; ${delivery.sent} requests sent`;
}
