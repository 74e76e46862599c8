/**
 * One run at a time per environment: a coordination.k8s.io/v1 Lease `chaos-lock` in the app
 * namespace of every cluster, taken (clusters in name order, so two runs cannot deadlock)
 * before the first mutation, renewed every third of its duration, released at the end.
 * A Lease whose renewTime + leaseDurationSeconds has passed is stale — its holder died — and
 * is taken over. Staleness compares the holder's renewTime with this machine's clock, so
 * clocks must agree to within a fraction of the lease duration (30 s by default).
 */
import { hostname, userInfo } from 'node:os';
import { HarnessError } from '../errors/errors.js';
import { isNotFound } from '../kube/api-error.js';
import type { ClusterApi, ClusterApis } from '../kube/cluster-api.js';
import { leaseTime } from '../kube/coordination-calls.js';
import { retryOnConflict } from '../kube/retry.js';
import type { Lease } from '../kube/types.js';
import { sleep } from '../system/sleep.js';

export const lockName = 'chaos-lock';

export interface LockOptions {
  /** Where the Lease lives: the environment's app namespace. */
  namespace: string;
  runId: string;
  /** Default: `<runId> <user>@<host> pid <pid>`. */
  holder?: string;
  leaseSeconds?: number;
  /** Wait up to this long for a held lock to be released or to expire (default 0: refuse at once). */
  waitMs?: number;
  pollMs?: number;
  /** Renew in the background (default true). */
  renew?: boolean;
  now?: () => number;
  /** Called once if a renewal finds the lock taken or unprovable: the run should stop. */
  onLost?: (cluster: string, reason: string) => void;
}

export interface LockState {
  cluster: string;
  holder?: string;
  renewedAtMs?: number;
  expiresAtMs?: number;
  stale: boolean;
}

export interface EnvironmentLock {
  readonly holder: string;
  readonly clusters: string[];
  /** Why the lock was lost, if it was. */
  lost(): string | undefined;
  /** Deletes our Leases; returns problems instead of throwing (it runs on the way out). */
  release(): Promise<string[]>;
}

export class LockHeldError extends HarnessError {
  constructor(readonly state: LockState) {
    const expires = state.expiresAtMs ? ` until ${new Date(state.expiresAtMs).toISOString()} unless renewed` : '';
    super(
      `another chaos run holds the lock of cluster ${state.cluster}: ${state.holder ?? '?'} (Lease ${lockName})${expires}`,
      'wait for it to end; if its process is gone the lock expires by itself, then `chaos recover` undoes what it left',
    );
  }
}

export function defaultHolder(runId: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the run id and pid still identify us.
  }
  return `${runId} ${user}@${hostname()} pid ${process.pid}`;
}

export function leaseState(cluster: string, lease: Lease | undefined, nowMs: number): LockState {
  const holder = lease?.spec?.holderIdentity || undefined;
  const renewed = lease?.spec?.renewTime ?? lease?.spec?.acquireTime;
  const renewedAtMs = renewed ? new Date(renewed).getTime() : undefined;
  const expiresAtMs =
    renewedAtMs !== undefined ? renewedAtMs + (lease?.spec?.leaseDurationSeconds ?? 0) * 1000 : undefined;
  return {
    cluster,
    holder,
    renewedAtMs,
    expiresAtMs,
    stale: !holder || expiresAtMs === undefined || expiresAtMs <= nowMs,
  };
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
    const state = leaseState(api.cluster, lease, nowMs);
    const ours = lease.spec?.holderIdentity === holder;
    if (!ours && !state.stale) throw new LockHeldError(state);
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
export async function inspectLock(
  apis: ClusterApis,
  namespace: string,
  now: () => number = Date.now,
): Promise<LockState[]> {
  return Promise.all(
    [...apis.values()].map(async (api) => leaseState(api.cluster, await readLease(api, namespace), now())),
  );
}

export async function acquireLock(apis: ClusterApis, options: LockOptions): Promise<EnvironmentLock> {
  const now = options.now ?? Date.now;
  const holder = options.holder ?? defaultHolder(options.runId);
  const leaseSeconds = options.leaseSeconds ?? 30;
  const ordered = [...apis.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
  const deadline = now() + (options.waitMs ?? 0);
  const pollMs = options.pollMs ?? 1_000;
  const taken: ClusterApi[] = [];
  const release = async (list: readonly ClusterApi[]): Promise<string[]> => {
    const results = await Promise.allSettled(list.map((api) => releaseLease(api, options.namespace, holder)));
    return results.flatMap((result, index) =>
      result.status === 'rejected' ? [`lock of ${list[index]!.cluster}: ${(result.reason as Error).message}`] : [],
    );
  };
  for (const api of ordered) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await takeLease(api, options.namespace, holder, leaseSeconds, now);
        taken.push(api);
        break;
      } catch (error) {
        const waitMore = error instanceof LockHeldError && now() + pollMs <= deadline && attempt < 10_000;
        if (!waitMore) {
          await release(taken);
          throw error;
        }
        await sleep(pollMs);
      }
    }
  }
  let lostReason: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.renew !== false) {
    let lastRenewedMs = now();
    let renewing = false;
    timer = setInterval(
      () => {
        if (renewing || lostReason) return;
        renewing = true;
        void Promise.all(
          taken.map((api) =>
            takeLease(api, options.namespace, holder, leaseSeconds, now).then(
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
              lostReason = `lock of ${failure.api.cluster} lost: ${(failure.error as Error).message}`;
              options.onLost?.(failure.api.cluster, lostReason);
            }
          })
          .finally(() => {
            renewing = false;
          });
      },
      Math.max(100, (leaseSeconds * 1000) / 3),
    );
    timer.unref();
  }
  return {
    holder,
    clusters: taken.map((api) => api.cluster),
    lost: () => lostReason,
    release: async () => {
      if (timer) clearInterval(timer);
      return release(taken);
    },
  };
}
