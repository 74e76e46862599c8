/**
 * The guard's own Lease, `chaos-system/chaos-guard` in each cluster: leader election between guard
 * replicas (only the holder acts) and the heartbeat a run reads to learn that a guard is there.
 *
 * Taken when absent, released (empty holder), ours, or when this replica watched the record stay
 * unchanged for the Lease's whole duration by its own clock (as client-go's leader election does);
 * renewed every third of the duration. A leader that cannot renew for a whole duration steps down
 * before anyone else may take over, so two replicas never act at once.
 */
import { monotonicMs } from '../system/clock.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { errorText } from '../errors/errors.js';
import { isAlreadyExists, isConflict, isNotFound } from '../kube/api-error.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { leaseTime } from '../kube/coordination-calls.js';
import type { Lease } from '../kube/types.js';
import { lockNamespace } from '../run/session/lock.js';

const guardLeaseName = 'chaos-guard';

export interface ElectionOptions {
  api: ClusterApi;
  identity: string;
  leaseSeconds: number;
  namespace?: string;
  /** The wall clock, for the times written on the Lease; default Date.now. */
  now?: () => number;
  /** The clock of durations (quiet Leases, our own renewals); default monotonic: an NTP step takes nothing over. */
  clock?: () => number;
  /** Told on every change of leadership, and of every failure to renew. */
  log: (line: string) => void;
  onLeader?: (leader: boolean) => void;
}

export interface Election {
  isLeader(): boolean;
  /** Stops renewing; a leader releases the Lease so a follower takes over at once. */
  stop(): Promise<void>;
}

export function guardIdentity(): string {
  return `guard ${hostname()} pid ${process.pid} ${randomBytes(3).toString('hex')}`;
}

/** One attempt: take or renew. Returns whether we hold the Lease after it. */
async function attempt(
  options: ElectionOptions,
  namespace: string,
  seen: { version?: string; sinceMs: number; holder?: string },
): Promise<boolean> {
  const { api, identity, leaseSeconds } = options;
  const now = options.now ?? Date.now;
  const clock = options.clock ?? monotonicMs;
  let lease: Lease | undefined;
  try {
    lease = await api.readLease(namespace, guardLeaseName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const spec = { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, renewTime: leaseTime(now()) };
  if (!lease) {
    try {
      await api.createLease(namespace, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: guardLeaseName, namespace },
        spec: { ...spec, acquireTime: leaseTime(now()), leaseTransitions: 0 },
      });
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }
  const holder = lease.spec?.holderIdentity ?? '';
  const version = `${lease.metadata?.resourceVersion}/${holder}/${String(lease.spec?.renewTime)}`;
  if (seen.version !== version) Object.assign(seen, { version, sinceMs: clock(), holder });
  const quiet = clock() - seen.sinceMs >= (lease.spec?.leaseDurationSeconds ?? leaseSeconds) * 1000;
  const ours = holder === identity;
  if (!ours && holder !== '' && !quiet) return false;
  const transitions = (lease.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1);
  const acquireTime = ours ? lease.spec?.acquireTime : leaseTime(now());
  try {
    await api.replaceLease(namespace, guardLeaseName, {
      ...lease,
      spec: { ...lease.spec, ...spec, acquireTime, leaseTransitions: transitions },
    });
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

export function startElection(options: ElectionOptions): Election {
  const namespace = options.namespace ?? lockNamespace;
  const clock = options.clock ?? monotonicMs;
  const seen: { version?: string; sinceMs: number; holder?: string } = { sinceMs: clock() };
  let leader = false;
  let lastRenewedMs = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastWhy = '';
  const setLeader = (value: boolean, why: string) => {
    // A follower says once whom it follows (and again when that changes).
    if (!value && why !== lastWhy) options.log(`${options.api.cluster}: following (${why})`);
    lastWhy = why;
    if (value === leader) return;
    leader = value;
    options.log(`${options.api.cluster}: ${value ? 'leading' : 'not leading'} (${why})`);
    options.onLeader?.(value);
  };
  const tick = async () => {
    if (stopped) return;
    try {
      const held = await attempt(options, namespace, seen);
      if (held) lastRenewedMs = clock();
      const why = held ? `holds Lease ${namespace}/${guardLeaseName}` : `Lease held by ${seen.holder}`;
      setLeader(held, why);
    } catch (error) {
      // Unproven for a whole duration: someone else may take over now, so we must not act.
      if (leader && clock() - lastRenewedMs >= options.leaseSeconds * 1000)
        setLeader(false, `could not renew: ${errorText(error)}`);
      else options.log(`${options.api.cluster}: Lease not renewed: ${errorText(error)}`);
    }
  };
  running = tick();
  const timer = setInterval(
    () => {
      running = running.then(tick);
    },
    Math.max(100, (options.leaseSeconds * 1000) / 3),
  );
  return {
    isLeader: () => leader && !stopped && clock() - lastRenewedMs < options.leaseSeconds * 1000,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      if (!leader) return;
      setLeader(false, 'stopping');
      try {
        const lease = await options.api.readLease(namespace, guardLeaseName);
        if (lease.spec?.holderIdentity === options.identity)
          await options.api.deleteLease(namespace, guardLeaseName, lease.metadata?.resourceVersion);
      } catch (error) {
        if (!isNotFound(error)) options.log(`${options.api.cluster}: could not release the Lease: ${errorText(error)}`);
      }
    },
  };
}

export interface GuardPresence {
  cluster: string;
  active: boolean;
  holder?: string;
  detail: string;
}

/**
 * Whether a guard is there, for a run: its Lease was renewed within its duration (plus a few
 * seconds of clock difference). A one-off read cannot watch the record, so the holder's renewTime is
 * compared with our clock; a guard whose clock is far off is reported as absent, never the reverse.
 */
export async function readGuardPresence(api: ClusterApi, nowMs = Date.now()): Promise<GuardPresence> {
  let lease: Lease;
  try {
    lease = await api.readLease(lockNamespace, guardLeaseName);
  } catch (error) {
    const detail = isNotFound(error) ? 'no guard Lease' : `guard Lease unreadable: ${errorText(error)}`;
    return { cluster: api.cluster, active: false, detail };
  }
  const holder = lease.spec?.holderIdentity || undefined;
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
  const ageSeconds = Math.round((nowMs - renewed) / 1000);
  const fresh = renewed + ((lease.spec?.leaseDurationSeconds ?? 0) + 5) * 1000 >= nowMs;
  const active = holder !== undefined && fresh;
  const detail = active
    ? `guard ${holder} (renewed ${ageSeconds}s ago)`
    : `guard Lease stale (renewed ${ageSeconds}s ago)`;
  return { cluster: api.cluster, active, holder, detail };
}
