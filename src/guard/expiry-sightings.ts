/**
 * Expiry by one clock: the guard's. A run writes `chaos.dev/expires-in` (a duration from its write)
 * with `chaos.dev/expires` (its own wall clock, for people); the guard times the duration from when
 * it first saw that value on that object, by its own monotonic clock — client-go's way with Leases.
 * A harness clock hours behind or ahead changes nothing; the guard sees a write after it happens,
 * so it is never early (a guard started late gives the run up to its whole duration again: at most
 * twice the margin). A new value (a game day's hold pushing the expiry) starts a new sighting.
 * Marks without `expires-in` (written by an older chaos) fall back to the wall clocks compared.
 */
import { mutationKey, type Mutation } from '../faults/mutation.js';
import type { Expiry } from './judge-runs.js';

export class ExpirySightings {
  private readonly seen = new Map<string, { value: string; sinceMs: number }>();

  /** Notes this pass's mutations (forgetting the ones gone); returns each one's expiry on `nowMs`'s clock. */
  observe(mutations: readonly Mutation[], nowMs: number): (mutation: Mutation) => Expiry | undefined {
    const current = new Set<string>();
    for (const mutation of mutations) {
      const key = keyOf(mutation);
      current.add(key);
      const value = `${mutation.expiresAt}|${String(mutation.expiresInMs)}`;
      if (this.seen.get(key)?.value !== value) this.seen.set(key, { value, sinceMs: nowMs });
    }
    for (const key of this.seen.keys()) if (!current.has(key)) this.seen.delete(key);
    return (mutation) => {
      const sighting = this.seen.get(keyOf(mutation));
      if (mutation.expiresInMs !== undefined && sighting)
        return {
          atMs: sighting.sinceMs + mutation.expiresInMs,
          text: `chaos.dev/expires-in ${mutation.expiresInMs / 1000}s has passed since this guard first saw it (the run wrote expires ${mutation.expiresAt || '?'})`,
        };
      const wallMs = Date.parse(mutation.expiresAt);
      if (!Number.isFinite(wallMs)) return undefined;
      return {
        atMs: nowMs + (wallMs - Date.now()),
        text: `chaos.dev/expires ${new Date(wallMs).toISOString()} has passed (no expires-in: the run's clock against ours)`,
      };
    };
  }
}

function keyOf(mutation: Mutation): string {
  return `${mutation.runId} ${mutationKey(mutation)}`;
}
