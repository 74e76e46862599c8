/**
 * What the guard does to one dead run in one cluster: take the cluster's lock (taking over exactly
 * the record it watched go quiet), say on each object that it is reverting it (an Event), undo
 * with `chaos recover`'s handlers, and as each object is verified, count it, log it and say so.
 */
import { hostname } from 'node:os';
import { errorText } from '../errors/errors.js';
import type { IstioConvergence } from '../environment/types.js';
import type { FaultTiming } from '../faults/fault-plugin.js';
import { mutationKey, type Mutation } from '../faults/mutation.js';
import { mutationHandlerFor } from '../faults/registry.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { retryOnConflict } from '../kube/retry.js';
import type { Lease } from '../kube/types.js';
import { acquireLock, lockName, lockNamespace } from '../run/session/lock.js';
import { isRecovered, revertLeftovers, type Leftover } from '../run/recover/recover.js';
import type { ClusterCounters } from './guard-metrics.js';
import type { RunJudgement } from './judge-runs.js';
import { revertEvent } from './revert-events.js';

export interface RevertRunOptions {
  api: ClusterApi;
  identity: string;
  /** Duration of the lock the guard holds while it reverts (its `--lease`). */
  leaseSeconds: number;
  timing: FaultTiming;
  istioConvergence?: IstioConvergence;
  counters: ClusterCounters;
  log: (line: string) => void;
  now: () => number;
  /** Take over this lock record: the guard has watched it stay unchanged past its duration + grace. */
  takeOver: (lease: Lease) => boolean;
}

export async function revertDeadRun(run: RunJudgement, options: RevertRunOptions): Promise<void> {
  const { api, log } = options;
  const lock = await acquireLock(new Map([[api.cluster, api]]), {
    runId: 'guard',
    holder: `guard-revert ${options.identity}`,
    leaseSeconds: options.leaseSeconds,
    partial: true,
    takeOver: options.takeOver,
  });
  try {
    if (lock.clusters.length === 0 && !run.expired) {
      log(
        `${api.cluster}: run ${run.runId} looks dead (${run.deadBecause}) but ${lock.unavailable[0]?.reason}; waiting`,
      );
      return;
    }
    log(`${api.cluster}: reverting run ${run.runId}: ${run.deadBecause}`);
    const toLeftover = (mutation: Mutation): Leftover => ({
      mutation,
      sources: ['annotations'],
      expired: run.expired,
      manual: mutationHandlerFor(mutation).manual(mutation, api.context),
    });
    const leftovers = run.mutations.map(toLeftover);
    // What a guard that died mid-revert had in hand and is no longer on the objects: it undid them
    // but never said so. Checked (verified) and recorded here, like the rest.
    if (lock.clusters.length > 0) {
      const pending = new Set(leftovers.map((leftover) => mutationKey(leftover.mutation)));
      try {
        for (const mutation of await readInFlight(api))
          if (!pending.has(mutationKey(mutation))) leftovers.push({ ...toLeftover(mutation), verifyIfAbsent: true });
        await writeInFlight(
          api,
          leftovers.map((leftover) => leftover.mutation),
        );
      } catch (error) {
        // The record only serves a successor's Events; the revert does not wait for it.
        log(`${api.cluster}: could not record the mutations in hand on the lock: ${errorText(error)}`);
      }
    }
    const why = run.deadBecause ?? '';
    // First an Event on each object saying the guard is at it: if this guard dies mid-revert, every
    // object still says who touched it; the one that takes over records the outcome of the rest.
    for (const leftover of leftovers)
      await postEvent(leftover.mutation, { stage: 'reverting', detail: '', why }, options);
    await revertLeftovers(leftovers, {
      apis: new Map([[api.cluster, api]]),
      timing: options.timing,
      now: options.now,
      ...(options.istioConvergence ? { istioConvergence: options.istioConvergence } : {}),
      onSettled: (leftover) => record(leftover, why, options),
    });
    options.counters.runsReverted += 1;
  } finally {
    for (const problem of await lock.release()) log(`${api.cluster}: ${problem}`);
  }
}

async function postEvent(
  mutation: Mutation,
  result: Parameters<typeof revertEvent>[1],
  options: RevertRunOptions,
): Promise<void> {
  const built = revertEvent(mutation, result, hostname(), options.now());
  if (!built) return;
  try {
    await options.api.createEvent(built.namespace, built.event);
  } catch (error) {
    options.log(`${options.api.cluster}: could not record the Event: ${errorText(error)}`);
  }
}

/** On the lock Lease the guard holds while it reverts: the mutations in hand, as JSON. */
export const inFlightAnnotation = 'chaos.dev/guard-in-flight';

/** What a previous holder of the lock (a guard that died while reverting) had in hand. */
async function readInFlight(api: ClusterApi): Promise<Mutation[]> {
  const lease = await api.readLease(lockNamespace, lockName);
  try {
    const list: unknown = JSON.parse(lease.metadata?.annotations?.[inFlightAnnotation] ?? '[]');
    return Array.isArray(list) ? (list as Mutation[]) : [];
  } catch {
    return [];
  }
}

/**
 * Records `mutations` on the lock Lease this guard holds (the renewals keep it). The Lease is
 * deleted on release, and the record with it: it outlives only a guard that dies mid-revert.
 */
async function writeInFlight(api: ClusterApi, mutations: readonly Mutation[]): Promise<void> {
  await retryOnConflict(async () => {
    const lease = await api.readLease(lockNamespace, lockName);
    const annotations = { ...lease.metadata?.annotations, [inFlightAnnotation]: JSON.stringify(mutations) };
    await api.replaceLease(lockNamespace, lockName, { ...lease, metadata: { ...lease.metadata, annotations } });
  }, api.retry);
}

/** One leftover's final outcome: counted, logged, and an Event on its object, as soon as it is known. */
async function record(leftover: Leftover, why: string, options: RevertRunOptions): Promise<void> {
  const ok = isRecovered(leftover) && leftover.verifyError === undefined;
  const outcome = leftover.outcome?.detail ?? 'not attempted';
  const undone = leftover.verifyIfAbsent
    ? `undone by a guard that stopped before it could say so (${outcome})`
    : outcome;
  const detail = [undone, leftover.verifyError].filter(Boolean).join('; ');
  if (ok) options.counters.revertsDone += 1;
  else options.counters.revertFailures += 1;
  options.counters.lastProgressAtMs = options.now();
  const manual = ok ? '' : ` (by hand: ${leftover.manual})`;
  options.log(`${options.api.cluster}: ${ok ? 'reverted' : 'NOT reverted'}: ${detail}${manual}`);
  await postEvent(leftover.mutation, { stage: ok ? 'reverted' : 'failed', detail, why }, options);
}
