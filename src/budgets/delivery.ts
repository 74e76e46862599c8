/**
 * Delivered load: did a phase get the requests the scenario planned? Planned = rate × the
 * phase's judged duration; sent = requests the script sent in it (by send time, whatever their
 * outcome); dropped = iterations k6 could not start (no free VU). A phase × ingress that sent
 * less than `minDelivered` of its plan cannot support a verdict: it is inconclusive. Pure.
 */
import type { StatsSummary } from './stats.js';

export interface Delivery {
  phase: string;
  ingress: string;
  planned: number;
  sent: number;
  dropped: number;
  /** sent / planned; null when nothing was planned (a phase of zero length). */
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
  const sent = entry.stats.requests;
  const delivered = planned > 0 ? sent / planned : null;
  return {
    phase: entry.phase,
    ingress: entry.ingress,
    planned,
    sent,
    dropped: entry.stats.dropped,
    delivered,
    minDelivered,
    outcome: delivered === null || delivered >= minDelivered ? 'delivered' : 'under-delivered',
  };
}

/** "sent 412 of 1500 planned (27 %), 1088 dropped" */
export function describeDelivery(delivery: Delivery): string {
  const share = delivery.delivered === null ? 'n/a' : `${Math.round(delivery.delivered * 100)} %`;
  return `sent ${delivery.sent} of ${delivery.planned} planned (${share}), ${delivery.dropped} dropped`;
}
