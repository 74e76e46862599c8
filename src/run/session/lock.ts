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
 * Losing the lock (someone else holds it at renewal, or renewal impossible for longer than the
 * lease duration) is reported through `onLost`: the run must stop and revert.
 */
import { hostname, userInfo } from 'node:os';
import { errorText, HarnessError } from '../../errors/errors.js';
import { isNotFound } from '../../kube/api-error.js';
import type { ClusterApi, ClusterApis } from '../../kube/cluster-api.js';
import { leaseTime } from '../../kube/coordination-calls.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { Lease } from '../../kube/types.js';
import { processIsAlive } from '../../system/processes.js';
import { sleep } from '../../system/sleep.js';

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
  /** Why the lock was lost, if it was. */
  lost(): string | undefined;
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

function defaultHolder(runId: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the run id and pid still identify us.
  }
  return `${runId} ${user}@${hostname()} pid ${process.pid}`;
}

/** A holder written by defaultHolder on this machine whose process is gone. */
function holderIsProvablyDead(holder: string, here = hostname()): boolean {
  const match = /@(\S+) pid (\d+)$/.exec(holder);
  if (!match) return false;
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
): Promise<void> {
  await retryOnConflict(async () => {
    const lease = await readLease(api, namespace);
    const nowMs = now();
    const spec = { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, renewTime: leaseTime(nowMs) };
    if (!lease) {
      await api.createLease(namespace, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: lockName, namespace },
        spec: { ...spec, acquireTime: leaseTime(nowMs), leaseTransitions: 0 },
      });
      return;
    }
    const state = leaseState(api.cluster, lease);
    const ours = lease.spec?.holderIdentity === holder;
    const gone = state.stale || watcher.quiet(api.cluster, lease) || takeOver?.(lease) === true;
    if (!ours && !gone) throw new LockHeldError(state);
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1);
    const acquireTime =
      ours && lease.spec?.acquireTime ? leaseTime(new Date(lease.spec.acquireTime).getTime()) : leaseTime(nowMs);
    await api.replaceLease(namespace, lockName, {
      ...lease,
      spec: { ...lease.spec, ...spec, acquireTime, leaseTransitions: transitions },
    });
  }, api.retry);
}

async function releaseLease(api: ClusterApi, namespace: string, holder: string): Promise<void> {
  const lease = await readLease(api, namespace);
  if (!lease || lease.spec?.holderIdentity !== holder) return;
  try {
    await api.deleteLease(namespace, lockName, lease.metadata?.resourceVersion);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
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
    watcher: new LeaseWatcher(now),
  };
  const { taken, unavailable } = await takeInOrder(apis, terms, options);
  const renewal =
    options.renew !== false && taken.length > 0 ? renewInBackground(taken, terms, options.onLost) : undefined;
  return {
    holder: terms.holder,
    clusters: taken.map((api) => api.cluster),
    unavailable,
    lost: () => renewal?.lostReason(),
    release: async () => {
      await renewal?.stop();
      return releaseAll(taken, terms);
    },
  };
}

/**
 * Takes the Lease of each cluster in cluster name order (two runs cannot deadlock), waiting up to
 * `waitMs` for a held one. Without `partial` the first failure releases what was taken and throws.
 */
async function takeInOrder(
  apis: ClusterApis,
  terms: LockTerms,
  options: LockOptions,
): Promise<{ taken: ClusterApi[]; unavailable: Array<{ cluster: string; reason: string }> }> {
  const { namespace, holder, leaseSeconds, now, watcher } = terms;
  const ordered = [...apis.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
  const deadline = now() + (options.waitMs ?? 0);
  const pollMs = options.pollMs ?? 1_000;
  const taken: ClusterApi[] = [];
  const unavailable: Array<{ cluster: string; reason: string }> = [];
  for (const api of ordered) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (namespace === lockNamespace && attempt === 0) await api.ensureNamespace(namespace);
        await takeLease(api, namespace, holder, leaseSeconds, now, watcher, options.takeOver);
        taken.push(api);
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

async function releaseAll(list: readonly ClusterApi[], terms: LockTerms): Promise<string[]> {
  const results = await Promise.allSettled(list.map((api) => releaseLease(api, terms.namespace, terms.holder)));
  return results.flatMap((result, index) =>
    result.status === 'rejected' ? [`lock of ${list[index]!.cluster}: ${errorText(result.reason)}`] : [],
  );
}

interface Renewal {
  /** Why the lock was lost, if a renewal found it so. */
  lostReason(): string | undefined;
  /** No renewal starts after this; resolves once the one in flight (if any) has landed. */
  stop(): Promise<void>;
}

/** Renews every taken Lease every third of its duration until stopped. */
function renewInBackground(taken: readonly ClusterApi[], terms: LockTerms, onLost: LockOptions['onLost']): Renewal {
  const { namespace, holder, leaseSeconds, now, watcher } = terms;
  let lostReason: string | undefined;
  // A renewal still in flight when the lock is released would re-create the deleted Lease (its
  // read comes after the delete): release waits for it, and no renewal starts after release.
  let released = false;
  let renewal: Promise<void> | undefined;
  let lastRenewedMs = now();
  let renewing = false;
  const timer = setInterval(
    () => {
      if (renewing || lostReason || released) return;
      renewing = true;
      renewal = Promise.all(
        taken.map((api) =>
          takeLease(api, namespace, holder, leaseSeconds, now, watcher).then(
            () => undefined,
            (error: unknown) => ({ api, error }),
          ),
        ),
      )
        .then((results) => {
          const failure = results.find((result) => result !== undefined);
          if (!failure) {
            lastRenewedMs = now();
            return;
          }
          // A live holder replaced us, or we cannot prove we still hold it: either way, we lost it.
          if (failure.error instanceof LockHeldError || now() > lastRenewedMs + leaseSeconds * 1000) {
            lostReason = `lock of ${failure.api.cluster} lost: ${errorText(failure.error)}`;
            onLost?.(failure.api.cluster, lostReason);
          }
        })
        .finally(() => {
          renewing = false;
        });
    },
    Math.max(100, (leaseSeconds * 1000) / 3),
  );
  timer.unref();
  return {
    lostReason: () => lostReason,
    stop: async () => {
      released = true;
      clearInterval(timer);
      await renewal;
    },
  };
}
