/**
 * One run at a time per **cluster**: a coordination.k8s.io/v1 Lease `chaos-lock` in the fixed
 * namespace `chaos-system` of every cluster a run or a recover touches, whatever environment file
 * names the cluster (faults reach the whole cluster: drains, gateway routes). Taken in cluster name
 * order (two runs cannot deadlock) before the first mutation, renewed every third of its duration,
 * released at the end.
 *
 * A Lease held by someone else is taken over only when its holder is known to be gone:
 * - it was released (no holder), or
 * - the holder is provably dead: same host as us, and its pid no longer exists, or
 * - this process watched the record not change for a whole lease duration, timed by *our* clock
 *   from when *we* first saw that version (as client-go's leader election does) — never by
 *   comparing the holder's renewTime with our clock, so a holder whose clock runs ahead or behind
 *   is judged the same.
 *
 * Fenced: a renewal renews only the record this lock took (its uid, its holder, a resourceVersion
 * precondition) and never re-creates a deleted Lease, so a run paused past its lease (a closed lid,
 * Ctrl-Z, a network cut) whose lock a guard took over finds out instead of taking it back; and
 * `fence(cluster)` checks the same before and after every mutation. Losing the lock of a cluster
 * (its Lease gone or taken, or not renewed for its whole duration — each cluster renewed on its own,
 * so a slow API server costs only its own cluster) is reported through `onLost`, once per cluster:
 * the run must stop and revert.
 */
import { readlinkSync } from 'node:fs';
import { monotonicMs } from '../../system/clock.js';
import { hostname, userInfo } from 'node:os';
import { errorText, HarnessError } from '../../errors/errors.js';
import { isNotFound } from '../../kube/api-error.js';
import type { ClusterApi, ClusterApis } from '../../kube/cluster-api.js';
import { leaseTime } from '../../kube/coordination-calls.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { Lease } from '../../kube/types.js';
import { processIsAlive } from '../../system/processes.js';
import { pause, sleep } from '../../system/sleep.js';

export const lockName = 'chaos-lock';
/** The one namespace of the lock in every cluster (created when missing; deploy/rbac.yaml makes it). */
export const lockNamespace = 'chaos-system';

export interface LockOptions {
  /** Where the Lease lives; default `chaos-system` (tests may use their own). */
  namespace?: string;
  runId: string;
  /** Default: `<runId> <user>@<host> pid <pid>`. */
  holder?: string;
  leaseSeconds?: number;
  /** Wait up to this long for a held lock to be released or to go quiet (default 0: refuse at once). */
  waitMs?: number;
  pollMs?: number;
  /** Renew in the background (default true). */
  renew?: boolean;
  now?: () => number;
  /** The clock another holder's Lease goes quiet by; default monotonic (an NTP step takes nothing over). */
  clock?: () => number;
  /** Called once if a renewal finds the lock taken or unprovable: the run should stop. */
  onLost?: (cluster: string, reason: string) => void;
  /**
   * Take what can be taken (recover): a cluster that cannot be reached or is held by a live run is
   * listed in `unavailable` instead of failing the whole lock.
   */
  partial?: boolean;
  /**
   * Also take over a live-looking holder when this says so (the guard, which has watched that
   * exact record go quiet for longer than its duration plus a grace by its own clock).
   */
  takeOver?: (lease: Lease) => boolean;
}

export interface LockState {
  cluster: string;
  holder?: string;
  renewedAtMs?: number;
  /** The holder's own view of its expiry (its clock): shown to people, never used to take over. */
  expiresAtMs?: number;
  /** Released, or its holder is provably dead (same host, pid gone). */
  stale: boolean;
}

export interface EnvironmentLock {
  readonly holder: string;
  /** Clusters whose Lease we hold. */
  readonly clusters: string[];
  /** With `partial`: clusters we could not lock, and why. */
  readonly unavailable: Array<{ cluster: string; reason: string }>;
  /** Why the lock was lost (the first cluster that was), if it was. */
  lost(): string | undefined;
  /**
   * Resolves only if the cluster's Lease is, right now, the record this lock took; else marks that
   * cluster lost (onLost) and throws LockLostError. A mutation is fenced by it before and after.
   */
  fence(cluster: string): Promise<void>;
  /** Deletes our Leases; returns problems instead of throwing (it runs on the way out). */
  release(): Promise<string[]>;
}

export class LockHeldError extends HarnessError {
  constructor(readonly state: LockState) {
    super(
      `another chaos run holds the lock of cluster ${state.cluster}: ${state.holder ?? '?'} (Lease ${lockNamespace}/${lockName})`,
      'wait for it to end. If its process is gone, `chaos recover` takes the lock over (at once on the same ' +
        'machine; elsewhere after watching the Lease unchanged for its duration) and undoes what it left',
    );
  }
}

/** The lock of a cluster is no longer ours: taken over, released by someone else, or not renewable in time. */
export class LockLostError extends HarnessError {
  constructor(
    readonly cluster: string,
    readonly reason: string,
  ) {
    super(
      `lock of ${cluster} lost: ${reason}`,
      'the run stops, changes nothing more, reverts what it still holds and is marked invalid (its faults were not in place for the whole phase)',
    );
  }
}

/** Our hold on one cluster's Lease. */
interface Hold {
  api: ClusterApi;
  /** The uid of the Lease we took: a Lease deleted and made again is another record. */
  uid?: string;
  /** Time since the start of the last renewal that landed (or the take). */
  renewedAt: () => number;
  renewing: boolean;
  lost?: string;
  /** onLost was called for it. */
  told: boolean;
}

function defaultHolder(runId: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the run id and pid still identify us.
  }
  const namespace = pidNamespace();
  return `${runId} ${user}@${hostname()} pid ${process.pid}${namespace ? ` pidns ${namespace}` : ''}`;
}

/**
 * This process's pid namespace (Linux: the inode of /proc/self/ns/pid), or undefined. Containers
 * may share a hostname (a CI runner's, a Pod's) but never a pid namespace: a pid is only ours to
 * check inside our own.
 */
function pidNamespace(): string | undefined {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * A holder written by defaultHolder on this machine, in this pid namespace, whose process is gone.
 * Another namespace (or one named on one side only) proves nothing: its pid may be alive there.
 */
function holderIsProvablyDead(holder: string, here = hostname(), namespace = pidNamespace()): boolean {
  const match = /@(\S+) pid (\d+)(?: pidns (\d+))?$/.exec(holder);
  if (!match || match[3] !== namespace) return false;
  const pid = Number(match[2]);
  return match[1] === here && pid !== process.pid && !processIsAlive(pid);
}

function leaseState(cluster: string, lease: Lease | undefined): LockState {
  const holder = lease?.spec?.holderIdentity || undefined;
  const renewed = lease?.spec?.renewTime ?? lease?.spec?.acquireTime;
  const renewedAtMs = renewed ? new Date(renewed).getTime() : undefined;
  const expiresAtMs =
    renewedAtMs !== undefined ? renewedAtMs + (lease?.spec?.leaseDurationSeconds ?? 0) * 1000 : undefined;
  return { cluster, holder, renewedAtMs, expiresAtMs, stale: !holder || holderIsProvablyDead(holder) };
}

/** What this process has seen of other holders' Leases: a record unchanged for a lease duration is quiet. */
class LeaseWatcher {
  private readonly seen = new Map<string, { version: string; sinceMs: number }>();

  constructor(private readonly now: () => number) {}

  /** True once this exact record has been seen unchanged for its whole duration, by our clock. */
  quiet(cluster: string, lease: Lease): boolean {
    const version = `${lease.metadata?.resourceVersion}/${lease.spec?.holderIdentity}/${lease.spec?.renewTime}`;
    const last = this.seen.get(cluster);
    if (!last || last.version !== version) {
      this.seen.set(cluster, { version, sinceMs: this.now() });
      return false;
    }
    return this.now() - last.sinceMs >= (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  }
}

async function readLease(api: ClusterApi, namespace: string): Promise<Lease | undefined> {
  try {
    return await api.readLease(namespace, lockName);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Takes or renews our Lease in one cluster; throws LockHeldError if a live holder has it. */
async function takeLease(
  api: ClusterApi,
  namespace: string,
  holder: string,
  leaseSeconds: number,
  now: () => number,
  watcher: LeaseWatcher,
  takeOver?: (lease: Lease) => boolean,
): Promise<Lease> {
  return retryOnConflict(async () => {
    const lease = await readLease(api, namespace);
    const nowMs = now();
    const spec = { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, renewTime: leaseTime(nowMs) };
    if (!lease) {
      return api.createLease(namespace, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: lockName, namespace },
        spec: { ...spec, acquireTime: leaseTime(nowMs), leaseTransitions: 0 },
      });
    }
    const state = leaseState(api.cluster, lease);
    const ours = lease.spec?.holderIdentity === holder;
    const gone = state.stale || watcher.quiet(api.cluster, lease) || takeOver?.(lease) === true;
    if (!ours && !gone) throw new LockHeldError(state);
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1);
    const acquireTime =
      ours && lease.spec?.acquireTime ? leaseTime(new Date(lease.spec.acquireTime).getTime()) : leaseTime(nowMs);
    return api.replaceLease(namespace, lockName, {
      ...lease,
      spec: { ...lease.spec, ...spec, acquireTime, leaseTransitions: transitions },
    });
  }, api.retry);
}

async function releaseLease(api: ClusterApi, namespace: string, holder: string): Promise<void> {
  // A renewal that landed between our read and the delete changed the resourceVersion: read again.
  await retryOnConflict(async () => {
    const lease = await readLease(api, namespace);
    if (!lease || lease.spec?.holderIdentity !== holder) return;
    try {
      await api.deleteLease(namespace, lockName, lease.metadata?.resourceVersion);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }, api.retry);
}

/** Who holds the lock in each cluster, without taking it. */
export async function inspectLock(apis: ClusterApis, namespace = lockNamespace): Promise<LockState[]> {
  return Promise.all([...apis.values()].map(async (api) => leaseState(api.cluster, await readLease(api, namespace))));
}

/** What every take and renewal of one lock uses. */
interface LockTerms {
  namespace: string;
  holder: string;
  leaseSeconds: number;
  now: () => number;
  watcher: LeaseWatcher;
}

export async function acquireLock(apis: ClusterApis, options: LockOptions): Promise<EnvironmentLock> {
  const now = options.now ?? Date.now;
  const terms: LockTerms = {
    namespace: options.namespace ?? lockNamespace,
    holder: options.holder ?? defaultHolder(options.runId),
    leaseSeconds: options.leaseSeconds ?? 30,
    now,
    watcher: new LeaseWatcher(options.clock ?? monotonicMs),
  };
  const { taken, unavailable } = await takeInOrder(apis, terms, options);
  const holds = new Map(taken.map((hold) => [hold.api.cluster, hold]));
  let firstLost: string | undefined;
  const lose = (hold: Hold, reason: string): LockLostError => {
    hold.lost ??= reason;
    const error = new LockLostError(hold.api.cluster, hold.lost);
    if (firstLost === undefined) firstLost = error.message;
    if (!hold.told) {
      hold.told = true;
      options.onLost?.(hold.api.cluster, error.message);
    }
    return error;
  };
  const renewal = options.renew !== false && taken.length > 0 ? renewEach(taken, terms, lose) : undefined;
  return {
    holder: terms.holder,
    clusters: taken.map((hold) => hold.api.cluster),
    unavailable,
    lost: () => firstLost,
    fence: (cluster) => fenceOf(holds.get(cluster), cluster, terms, lose),
    release: async () => {
      await renewal?.stop();
      return releaseAll(taken, terms);
    },
  };
}

/** Throws LockLostError unless the cluster's Lease is, right now, the very record this lock took. */
async function fenceOf(
  hold: Hold | undefined,
  cluster: string,
  terms: LockTerms,
  lose: (hold: Hold, reason: string) => LockLostError,
): Promise<void> {
  if (!hold) throw new LockLostError(cluster, 'this run never held it');
  if (hold.lost) throw lose(hold, hold.lost);
  const why = notOurs(await readLease(hold.api, terms.namespace), terms.holder, hold.uid);
  if (why) throw lose(hold, why);
}

/**
 * Takes the Lease of each cluster in cluster name order (two runs cannot deadlock), waiting up to
 * `waitMs` for a held one. Without `partial` the first failure releases what was taken and throws.
 */
async function takeInOrder(
  apis: ClusterApis,
  terms: LockTerms,
  options: LockOptions,
): Promise<{ taken: Hold[]; unavailable: Array<{ cluster: string; reason: string }> }> {
  const { namespace, holder, leaseSeconds, now, watcher } = terms;
  const ordered = [...apis.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
  const deadline = now() + (options.waitMs ?? 0);
  const pollMs = options.pollMs ?? 1_000;
  const taken: Hold[] = [];
  const unavailable: Array<{ cluster: string; reason: string }> = [];
  for (const api of ordered) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (namespace === lockNamespace && attempt === 0) await api.ensureNamespace(namespace);
        const renewedAt = elapsedClock(now);
        const lease = await takeLease(api, namespace, holder, leaseSeconds, now, watcher, options.takeOver);
        taken.push({ api, uid: lease.metadata?.uid, renewedAt, renewing: false, told: false });
        break;
      } catch (error) {
        const waitMore = error instanceof LockHeldError && now() + pollMs <= deadline && attempt < 10_000;
        if (waitMore) {
          await sleep(pollMs);
          continue;
        }
        if (options.partial) {
          unavailable.push({ cluster: api.cluster, reason: errorText(error) });
          break;
        }
        await releaseAll(taken, terms);
        throw error;
      }
    }
  }
  return { taken, unavailable };
}

async function releaseAll(list: readonly Hold[], terms: LockTerms): Promise<string[]> {
  const results = await Promise.allSettled(list.map((hold) => releaseLease(hold.api, terms.namespace, terms.holder)));
  return results.flatMap((result, index) =>
    result.status === 'rejected' ? [`lock of ${list[index]!.api.cluster}: ${errorText(result.reason)}`] : [],
  );
}

/**
 * Time since a moment, by both clocks, the larger: the monotonic one is blind to a wall-clock step
 * back, the wall clock sees a suspended laptop's sleep (the monotonic clock stops during suspend).
 */
function elapsedClock(now: () => number): () => number {
  const wall = now();
  const mono = performance.now();
  return () => Math.max(now() - wall, performance.now() - mono);
}

interface Renewal {
  /** No renewal starts after this; resolves once those in flight have landed (bounded). */
  stop(): Promise<void>;
}

/**
 * Renews each cluster's Lease on its own every third of its duration, each with its own deadline:
 * a slow or unreachable API server delays only its own cluster. A renewal only renews the record
 * this lock took — it never re-creates a deleted Lease nor takes one back — and a cluster whose
 * Lease is gone, taken, or not renewed for a whole duration is lost (`lose`): the run stops.
 */
function renewEach(taken: readonly Hold[], terms: LockTerms, lose: (hold: Hold, reason: string) => unknown): Renewal {
  const leaseMs = terms.leaseSeconds * 1000;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const tick = (hold: Hold) => {
    if (stopped || hold.lost) return;
    if (hold.renewing) {
      // Its own deadline: a renewal hung on a slow API server still loses this cluster in time.
      const quietMs = hold.renewedAt();
      if (quietMs > leaseMs)
        lose(hold, `not renewed for ${Math.round(quietMs / 1000)}s (its API server does not answer in time)`);
      return;
    }
    hold.renewing = true;
    const attemptAt = elapsedClock(terms.now);
    const work = renewLease(hold, terms)
      .then(
        () => {
          hold.renewedAt = attemptAt;
        },
        (error: unknown) => {
          if (error instanceof LockLostError) lose(hold, error.reason);
          else if (hold.renewedAt() > leaseMs)
            lose(hold, `not renewed for ${Math.round(hold.renewedAt() / 1000)}s: ${errorText(error)}`);
        },
      )
      .finally(() => {
        hold.renewing = false;
        inFlight.delete(work);
      });
    inFlight.add(work);
  };
  const timers = taken.map((hold) => {
    const timer = setInterval(() => tick(hold), Math.max(100, leaseMs / 3));
    timer.unref();
    return timer;
  });
  return {
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.race([Promise.allSettled([...inFlight]), pause(leaseMs, undefined, { ref: false })]);
    },
  };
}

/** Renews exactly the record this lock holds (resourceVersion precondition); LockLostError when it is not ours. */
async function renewLease(hold: Hold, terms: LockTerms): Promise<void> {
  const { api } = hold;
  await retryOnConflict(async () => {
    const lease = await readLease(api, terms.namespace);
    const why = notOurs(lease, terms.holder, hold.uid);
    if (why || !lease) throw new LockLostError(api.cluster, why ?? 'its Lease is gone');
    await api.replaceLease(terms.namespace, lockName, {
      ...lease,
      spec: { ...lease.spec, leaseDurationSeconds: terms.leaseSeconds, renewTime: leaseTime(terms.now()) },
    });
  }, api.retry);
}

/** Why `lease` is not the record this lock took (undefined: it is). */
function notOurs(lease: Lease | undefined, holder: string, uid: string | undefined): string | undefined {
  if (!lease)
    return 'its Lease is gone: a guard or `chaos recover` took it over (this run was quiet too long) and released it';
  const current = lease.spec?.holderIdentity || undefined;
  if (current !== holder) return `its Lease is now held by ${current ?? 'nobody'}`;
  if (uid !== undefined && lease.metadata?.uid !== uid) return 'its Lease was deleted and made again by someone else';
  return undefined;
}
