/**
 * Which runs' mutations in one cluster the guard must revert, and when to look again. Pure.
 *
 * A run is dead to the guard when
 * - a mutation of it is past its expiry (even if its Lease is renewed: a hung harness renews but
 *   never reverts) — by the observer's clock (expiry-sightings.ts), or
 * - it holds the cluster's lock Lease and this guard watched that record stay unchanged for the
 *   Lease's duration plus the grace, by the guard's own clock, or
 * - it does not hold the lock at all (the Lease is gone, released, or another holder has it: a run
 *   holds the lock for as long as its faults are applied, so its mutations are left behind).
 * A run that holds a renewed Lease and whose mutations have not expired is live: never touched.
 */
import type { Mutation } from '../faults/mutation.js';

export interface LockView {
  /** The run id of the Lease's holder (first word of its holderIdentity); undefined when released. */
  holderRunId?: string;
  holder?: string;
  leaseMs: number;
  /** When this guard first saw the current record (resourceVersion, holder, renewTime), by its clock. */
  unchangedSinceMs: number;
}

export interface RunJudgement {
  runId: string;
  mutations: Mutation[];
  /** Why the guard reverts it; undefined: live. */
  deadBecause?: string;
  /** Expired: revert even if the lock cannot be taken (its holder is alive but not reverting). */
  expired: boolean;
}

export interface Judgement {
  runs: RunJudgement[];
  /** The next moment a live run could become dead with nothing changing (a timer's deadline). */
  nextCheckAtMs?: number;
}

/** A mutation's expiry on the judge's clock, and the words that say it passed. */
export interface Expiry {
  atMs: number;
  text: string;
}

/** `chaos.dev/expires` read as a time on `nowMs`'s clock: only for a judge whose clock is the wall clock. */
function wallExpiry(mutation: Mutation): Expiry | undefined {
  const atMs = Date.parse(mutation.expiresAt);
  return Number.isFinite(atMs)
    ? { atMs, text: `chaos.dev/expires ${new Date(atMs).toISOString()} has passed` }
    : undefined;
}

export function holderRunId(holder: string | undefined): string | undefined {
  return holder ? holder.split(' ')[0] : undefined;
}

export function judgeRuns(
  mutations: readonly Mutation[],
  lock: LockView | undefined,
  graceMs: number,
  nowMs: number,
  expiryOf: (mutation: Mutation) => Expiry | undefined = wallExpiry,
): Judgement {
  const byRun = new Map<string, Mutation[]>();
  for (const mutation of mutations) byRun.set(mutation.runId, [...(byRun.get(mutation.runId) ?? []), mutation]);
  const deadlines: number[] = [];
  const runs = [...byRun].map(([runId, list]): RunJudgement => {
    const expiries = list.map(expiryOf).filter((expiry): expiry is Expiry => expiry !== undefined);
    const first = expiries.reduce<Expiry | undefined>(
      (a, b) => (a === undefined || b.atMs < a.atMs ? b : a),
      undefined,
    );
    const firstExpiry = first?.atMs;
    if (first !== undefined && first.atMs <= nowMs)
      return { runId, mutations: list, expired: true, deadBecause: first.text };
    if (lock?.holderRunId !== runId) {
      const lockText = lock?.holder ? `the lock is held by ${lock.holder}` : 'its lock Lease is gone';
      return { runId, mutations: list, expired: false, deadBecause: `it does not hold the lock (${lockText})` };
    }
    const quietMs = nowMs - lock.unchangedSinceMs;
    if (quietMs >= lock.leaseMs + graceMs)
      return {
        runId,
        mutations: list,
        expired: false,
        deadBecause: `its Lease was not renewed for ${Math.round(quietMs / 1000)}s (duration ${lock.leaseMs / 1000}s + grace ${graceMs / 1000}s)`,
      };
    deadlines.push(lock.unchangedSinceMs + lock.leaseMs + graceMs);
    if (firstExpiry !== undefined) deadlines.push(firstExpiry);
    return { runId, mutations: list, expired: false };
  });
  return { runs, nextCheckAtMs: deadlines.length > 0 ? Math.min(...deadlines) : undefined };
}
