/**
 * One fault in one cluster, as the fault session tracks it: its mutations (journaled before
 * they happen), its background loop, its times. Applying and reverting one record live here;
 * ordering across records lives in fault-session.ts.
 */
import { errorText, HarnessError } from '../../errors/errors.js';
import type {
  Background,
  Convergence,
  FaultContext,
  FaultPlugin,
  FaultTarget,
  FaultTiming,
  KubeContext,
} from '../../faults/fault-plugin.js';
import { isSettled, type Mutation, type RevertOutcome } from '../../faults/mutation.js';
import { mutationHandlerFor, pluginFor } from '../../faults/registry.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { Fault } from '../../scenario/types.js';
import type { JournalEntry } from '../record/run-events.js';

interface MutationState {
  id: string;
  mutation: Mutation;
  state: 'intended' | 'done' | 'failed';
  outcome?: RevertOutcome;
}

export interface FaultRecord {
  phase: string;
  fault: Fault;
  target: FaultTarget;
  api: ClusterApi;
  mutations: MutationState[];
  background?: Background;
  status: 'applying' | 'applied' | 'effective' | 'failed' | 'reverted' | 'revert-failed';
  appliedAtMs?: number;
  effectiveAtMs?: number;
  revertedAtMs?: number;
  verifiedAtMs?: number;
  /** Istio: when the data plane had the fault, and when it had the revert; how that was known. */
  convergence?: Convergence;
  revertConvergence?: Convergence;
  error?: string;
  /** verifyReverted ran out of its bound once: the safety net does not wait the whole bound again. */
  verifyGaveUp?: boolean;
  reverting?: Promise<void>;
}

/** What the session lends each record: journal, clock, bounds, and the "stop now" signal. */
export interface SessionServices {
  append(entry: JournalEntry): Promise<void>;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  timing: FaultTiming;
  /** Aborted by revertAll: no new mutation starts after it. */
  stopping: AbortSignal;
  nextMutationId(record: FaultRecord): string;
  /** Calls in flight, so revertAll can let them land before undoing them. */
  inFlight: Set<Promise<unknown>>;
}

export function describeRecord(record: FaultRecord): string {
  return `fault ${record.fault.id} (${record.fault.type}) in ${record.target.cluster}`;
}

function stopped(record: FaultRecord): HarnessError {
  return new HarnessError(`${describeRecord(record)}: not changing anything more, the run is reverting`);
}

function kubeContext(record: FaultRecord, services: SessionServices, signal: AbortSignal): KubeContext {
  return {
    api: record.api,
    timing: services.timing,
    signal,
    now: services.now,
    sleep: (ms, also) => services.sleep(ms, also ? AbortSignal.any([signal, also]) : signal),
  };
}

function faultContext(
  record: FaultRecord,
  services: SessionServices,
  signal: AbortSignal,
  expiresAt: string,
): FaultContext {
  return {
    ...kubeContext(record, services, signal),
    target: record.target,
    expiresAt,
    random: services.random,
    mutate: <T>(mutation: Mutation, change: () => Promise<T>): Promise<T> => {
      // A signal or an abort limit (`signal`) or revertAll (`stopping`): no new mutation starts.
      if (services.stopping.aborted || signal.aborted) return Promise.reject(stopped(record));
      // Tracked from here, synchronously: revertAll aborts, then waits for every mutate that got
      // past the check above, so none can land after the revert has looked.
      const work = (async (): Promise<T> => {
        const state: MutationState = { id: services.nextMutationId(record), mutation, state: 'intended' };
        // Journal first: if this append fails, nothing is changed.
        await services.append({ type: 'mutation-intended', atMs: services.now(), id: state.id, mutation });
        record.mutations.push(state);
        if (services.stopping.aborted) {
          state.state = 'failed';
          throw stopped(record);
        }
        try {
          const result = await change();
          state.state = 'done';
          await services.append({ type: 'mutation-done', atMs: services.now(), id: state.id }).catch(() => undefined);
          return result;
        } catch (error) {
          state.state = 'failed';
          await services
            .append({ type: 'mutation-failed', atMs: services.now(), id: state.id, error: errorText(error) })
            .catch(() => undefined);
          throw error;
        }
      })();
      services.inFlight.add(work);
      void work.then(
        () => services.inFlight.delete(work),
        () => services.inFlight.delete(work),
      );
      return work;
    },
  };
}

/** Applies one record's fault; failures are recorded on it (and journaled), never thrown. */
export async function applyRecord(
  record: FaultRecord,
  services: SessionServices,
  signal: AbortSignal,
  expiresAt: string,
): Promise<void> {
  const plugin = pluginFor(record.fault) as FaultPlugin;
  const ctx = faultContext(record, services, signal, expiresAt);
  await services.append({
    type: 'fault-applying',
    atMs: services.now(),
    phase: record.phase,
    faultId: record.fault.id,
    faultType: record.fault.type,
    cluster: record.target.cluster,
  });
  try {
    record.background = await plugin.apply(record.fault, ctx);
    record.appliedAtMs = services.now();
    record.status = 'applied';
  } catch (error) {
    await fail(record, services, 'apply', error);
  }
}

export async function verifyRecord(
  record: FaultRecord,
  services: SessionServices,
  signal: AbortSignal,
  expiresAt: string,
): Promise<void> {
  if (record.status !== 'applied') return;
  const plugin = pluginFor(record.fault) as FaultPlugin;
  try {
    const convergence = await plugin.verify(
      record.fault,
      faultContext(record, services, signal, expiresAt),
      record.mutations.map((state) => state.mutation),
    );
    if (convergence) record.convergence = convergence;
    record.effectiveAtMs = services.now();
    record.status = 'effective';
    await services.append({
      type: 'fault-applied',
      atMs: record.appliedAtMs ?? record.effectiveAtMs,
      phase: record.phase,
      faultId: record.fault.id,
      cluster: record.target.cluster,
      effectiveAtMs: record.effectiveAtMs,
      ...(record.convergence
        ? { convergedAtMs: record.convergence.convergedAtMs, convergence: record.convergence.convergence }
        : {}),
    });
  } catch (error) {
    await fail(record, services, 'verify', error);
  }
}

async function fail(
  record: FaultRecord,
  services: SessionServices,
  stage: 'apply' | 'verify',
  error: unknown,
): Promise<void> {
  record.status = 'failed';
  record.error = `${stage}: ${errorText(error)}`;
  await services
    .append({
      type: 'fault-failed',
      atMs: services.now(),
      phase: record.phase,
      faultId: record.fault.id,
      cluster: record.target.cluster,
      stage,
      error: errorText(error),
    })
    .catch(() => undefined);
}

/**
 * Reverts what is still in place for one record: stop its loop, undo its unsettled mutations
 * newest first. Idempotent; concurrent callers share one attempt. Never throws: the outcome
 * is on the record and in the journal.
 */
export function revertRecord(record: FaultRecord, services: SessionServices): Promise<void> {
  if (record.reverting) return record.reverting;
  record.reverting = doRevert(record, services).finally(() => {
    record.reverting = undefined;
  });
  return record.reverting;
}

function revertContext(record: FaultRecord, services: SessionServices): KubeContext {
  // Revert waits must not be cut short by the abort that triggered them: a fresh signal.
  return kubeContext(record, services, new AbortController().signal);
}

async function doRevert(record: FaultRecord, services: SessionServices): Promise<void> {
  const plugin = pluginFor(record.fault) as FaultPlugin;
  await record.background?.stop().catch(() => undefined);
  const pending = record.mutations.filter((state) => !state.outcome || !isSettled(state.outcome));
  if (pending.length === 0 && record.revertedAtMs !== undefined) return;
  if (pending.length > 0) {
    let outcomes: RevertOutcome[];
    try {
      outcomes = await plugin.revert(
        record.fault,
        revertContext(record, services),
        pending.map((state) => state.mutation),
      );
    } catch (error) {
      outcomes = pending.map((state) => ({
        status: 'failed',
        detail: errorText(error),
        manual: mutationHandlerFor(state.mutation).manual(state.mutation, record.api.context),
      }));
    }
    for (const [index, state] of pending.entries()) {
      state.outcome = outcomes[index];
      if (state.outcome)
        await services
          .append({ type: 'mutation-reverted', atMs: services.now(), id: state.id, outcome: state.outcome, by: 'run' })
          .catch(() => undefined);
    }
  }
  const ok = record.mutations.every((state) => state.outcome !== undefined && isSettled(state.outcome));
  record.revertedAtMs = services.now();
  record.status = ok ? 'reverted' : 'revert-failed';
  await services
    .append({
      type: 'fault-reverted',
      atMs: record.revertedAtMs,
      phase: record.phase,
      faultId: record.fault.id,
      cluster: record.target.cluster,
      ok,
    })
    .catch(() => undefined);
}

/** Waits (bounded) until a reverted record's system is back; records and journals the result. */
export async function verifyRevertedRecord(record: FaultRecord, services: SessionServices): Promise<void> {
  if (record.status !== 'reverted' || record.verifiedAtMs !== undefined || record.verifyGaveUp) return;
  const plugin = pluginFor(record.fault) as FaultPlugin;
  try {
    const convergence = await plugin.verifyReverted(
      record.fault,
      revertContext(record, services),
      record.mutations.map((state) => state.mutation),
    );
    if (convergence) record.revertConvergence = convergence;
    record.verifiedAtMs = services.now();
    await services
      .append({
        type: 'fault-revert-verified',
        atMs: record.revertedAtMs ?? record.verifiedAtMs,
        faultId: record.fault.id,
        cluster: record.target.cluster,
        verifiedAtMs: record.verifiedAtMs,
        ...(record.revertConvergence
          ? {
              convergedAtMs: record.revertConvergence.convergedAtMs,
              convergence: record.revertConvergence.convergence,
            }
          : {}),
      })
      .catch(() => undefined);
  } catch (error) {
    record.error = `verify reverted: ${errorText(error)}`;
    record.verifyGaveUp = true;
    await services
      .append({
        type: 'fault-failed',
        atMs: services.now(),
        phase: record.phase,
        faultId: record.fault.id,
        cluster: record.target.cluster,
        stage: 'verify-reverted',
        error: errorText(error),
      })
      .catch(() => undefined);
  }
}
