/**
 * Who served an ingress's requests, as shares (pure): the words the console, the game-day view
 * and its timeline print ("central 59% west 41%"), and the remote share — the part answered by
 * a cluster other than the ingress's own, the number that moves when a scenario like
 * frontend-zero sends central's users east-west to west.
 */
import { servedByNotMeasured } from '../budgets/sample.js';

/** Counts per serving cluster and the requests they came from (a window, or a sum of windows). */
export interface ServedCounts {
  requests: number;
  servedBy: Record<string, number>;
}

/** "central 59% west 41%" (largest first, rounded), "not measured", or '' when nothing was sent. */
export function describeServedBy(counts: ServedCounts): string {
  const names = Object.keys(counts.servedBy);
  if (names.length === 1 && names[0] === servedByNotMeasured) return servedByNotMeasured;
  return Object.entries(counts.servedBy)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cluster, n]) => `${cluster} ${Math.round((n / Math.max(1, counts.requests)) * 100)}%`)
    .join(' ');
}

/**
 * Share (0..1) of the requests whose serving cluster is known (one of `clusters`) that another
 * cluster than `own` answered; null when no request had a known serving cluster ("unknown",
 * "not measured", or no requests).
 */
export function remoteShare(own: string, counts: ServedCounts, clusters: readonly string[]): number | null {
  let known = 0;
  let remote = 0;
  for (const cluster of clusters) {
    const n = counts.servedBy[cluster] ?? 0;
    known += n;
    if (cluster !== own) remote += n;
  }
  return known === 0 ? null : remote / known;
}

/** Sums windows' counts (a phase of one ingress). */
export function addServedCounts(windows: readonly ServedCounts[]): ServedCounts {
  const sum: ServedCounts = { requests: 0, servedBy: {} };
  for (const window of windows) {
    sum.requests += window.requests;
    for (const [cluster, n] of Object.entries(window.servedBy))
      sum.servedBy[cluster] = (sum.servedBy[cluster] ?? 0) + n;
  }
  return sum;
}
