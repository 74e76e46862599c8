/**
 * What the guard does to one dead run in one cluster: take the cluster's lock (taking over exactly
 * the record it watched go quiet), say on each object that it is reverting it (an Event), undo
 * with `chaos recover`'s handlers, and as each object is verified, count it, log it and say so.
 */
import { hostname } from 'node:os';
import { errorText } from '../../errors/errors.js';
import type { IstioConvergence } from '../../environment/types.js';
import type { FaultTiming } from '../../faults/fault-plugin.js';
import type { Mutation } from '../../faults/mutation.js';
import { mutationHandlerFor } from '../../faults/registry.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { Lease } from '../../kube/types.js';
import { acquireLock } from '../lock.js';
import { isRecovered, revertLeftovers, type Leftover } from '../recover.js';
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
    const leftovers: Leftover[] = run.mutations.map((mutation) => ({
      mutation,
      sources: ['annotations'],
      expired: run.expired,
      manual: mutationHandlerFor(mutation).manual(mutation, api.context),
    }));
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

/** One leftover's final outcome: counted, logged, and an Event on its object, as soon as it is known. */
async function record(leftover: Leftover, why: string, options: RevertRunOptions): Promise<void> {
  const ok = isRecovered(leftover) && leftover.verifyError === undefined;
  const detail = [leftover.outcome?.detail ?? 'not attempted', leftover.verifyError].filter(Boolean).join('; ');
  if (ok) options.counters.revertsDone += 1;
  else options.counters.revertFailures += 1;
  const manual = ok ? '' : ` (by hand: ${leftover.manual})`;
  options.log(`${options.api.cluster}: ${ok ? 'reverted' : 'NOT reverted'}: ${detail}${manual}`);
  await postEvent(leftover.mutation, { stage: ok ? 'reverted' : 'failed', detail, why }, options);
}
