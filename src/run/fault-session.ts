/**
 * The fault session: the runner's one handle on faults. It applies a phase's faults in every
 * selected cluster, journaling each mutation before it happens, verifies each took effect,
 * and reverts — per phase, or everything at once on abort, signal or error.
 *
 *   const journal = await openJournal(path.join(runDir, journalFileName));
 *   const lock = await acquireLock(apis, { namespace: env.namespace, runId });   // lock.ts
 *   const session = createFaultSession({ runId, apis, journal });
 *   try {
 *     const applied = await session.apply(plan.phases[1], interrupt);   // resolves when effective
 *     …hold the phase…
 *     await session.revert(plan.phases[1]);                              // throws if anything is left
 *   } finally {
 *     const report = await session.revertAll('run ended');               // never throws
 *     await lock.release(); await journal.close();
 *   }
 *
 * - `apply(phase, signal?)` applies the phase's faults in scenario order, each fault in all its
 *   clusters at once, then verifies all in parallel. It resolves with one AppliedFault per fault
 *   and cluster (appliedAtMs, effectiveAtMs), or throws FaultApplyError naming what failed —
 *   what did get applied stays recorded, so call revertAll. `signal` (e.g. SIGINT) stops waits.
 * - `revert(phase)` reverts that phase's faults (newest first), then waits until each is back
 *   (verifyReverted); throws RevertError listing what could not be undone (revertAll retries).
 * - `revertAll(reason)` is for every way out, signal handlers included: idempotent, concurrent
 *   calls share one attempt, never throws. It stops new mutations, lets calls in flight land,
 *   reverts everything still applied — newest first within a cluster, clusters in parallel —
 *   continues past failures, and returns exactly what it could not revert with the kubectl
 *   command to do it by hand. `verify: false` skips waiting for health (fastest path).
 * - The session is the only source of fault events (fault-applied, fault-reverted, mutation-*):
 *   it appends them to the run's event log (src/run/event-log.ts), which journals them and hands
 *   them to the console and the game-day view; the timeline never re-announces a fault.
 */
import { HarnessError } from '../errors/errors.js';
import type { FaultTiming } from '../faults/fault-plugin.js';
import { describeMutation, isSettled, type Mutation, type RevertOutcome } from '../faults/mutation.js';
import { mutationHandlerFor } from '../faults/registry.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import type { PlannedPhase } from './build-plan.js';
import type { AppliedFault, FaultDriver, RevertedFault, RevertReport, Unreverted } from './fault-driver.js';
import {
  applyRecord,
  describeRecord,
  revertRecord,
  verifyRecord,
  verifyRevertedRecord,
  type FaultRecord,
  type SessionServices,
} from './fault-session-records.js';
import type { EventRecorder } from './event-log.js';
import { patchExpiry } from './extend-expiry.js';
import { errorText } from '../errors/errors.js';
import { pause } from '../system/sleep.js';

export class FaultApplyError extends HarnessError {
  constructor(readonly failures: Array<{ faultId: string; cluster: string; message: string }>) {
    super(
      `could not apply: ${failures.map((f) => `fault ${f.faultId} in ${f.cluster}: ${f.message}`).join('; ')}`,
      'everything applied so far is reverted by the run',
    );
  }
}

export class RevertError extends HarnessError {
  constructor(readonly failures: Unreverted[]) {
    super(`could not revert: ${failures.map((f) => `${f.message} (by hand: ${f.manual})`).join('; ')}`);
  }
}

export interface FaultSessionOptions {
  runId: string;
  apis: ClusterApis;
  /** Where write-ahead entries go: the run's event log, or a bare JournalWriter. */
  journal: EventRecorder;
  timing?: Partial<FaultTiming>;
  /** Annotation expiry = phase end + this margin (default 5 min). */
  expiryMarginMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface FaultSession extends FaultDriver {
  readonly runId: string;
  apply(phase: PlannedPhase, signal?: AbortSignal): Promise<AppliedFault[]>;
  revert(phase: PlannedPhase | string, options?: { verify?: boolean }): Promise<RevertedFault[]>;
  revertAll(reason?: string, options?: { verify?: boolean; inFlightWaitMs?: number }): Promise<RevertReport>;
  /** Game day hold: push the phase's `chaos.dev/expires` to now + forMs + margin (problems, never throws). */
  extendExpiry(phase: string, forMs: number): Promise<string[]>;
  /** Faults still in place (applied or partly applied, not reverted). */
  outstanding(): Array<{ phase: string; faultId: string; cluster: string }>;
}

export const defaultTiming: FaultTiming = { verifyTimeoutMs: 120_000, pollIntervalMs: 500, evictionRetryMs: 5_000 };

export function createFaultSession(options: FaultSessionOptions): FaultSession {
  const now = options.now ?? Date.now;
  const records: FaultRecord[] = [];
  const stopping = new AbortController();
  let counter = 0;
  let revertingAll: Promise<RevertReport> | undefined;
  const services: SessionServices = {
    append: (entry) => options.journal.append(entry),
    now,
    sleep: pause,
    random: options.random ?? Math.random,
    timing: { ...defaultTiming, ...options.timing },
    stopping: stopping.signal,
    nextMutationId: (record) => `${record.fault.id}@${record.target.cluster}#${(counter += 1)}`,
    inFlight: new Set(),
  };

  const apply = async (phase: PlannedPhase, signal?: AbortSignal): Promise<AppliedFault[]> => {
    const stop = signal ? AbortSignal.any([signal, stopping.signal]) : stopping.signal;
    const expiresAt = new Date(now() + phase.durationMs + (options.expiryMarginMs ?? 300_000)).toISOString();
    const phaseRecords: FaultRecord[] = [];
    for (const planned of phase.faults) {
      if (stop.aborted) break;
      const batch = planned.targets.map((target): FaultRecord => {
        const api = options.apis.get(target.cluster);
        if (!api) throw new HarnessError(`no API client for cluster ${target.cluster}`);
        return { phase: phase.name, fault: planned.fault, target, api, mutations: [], status: 'applying' };
      });
      records.push(...batch);
      phaseRecords.push(...batch);
      await Promise.all(batch.map((record) => applyRecord(record, services, stop, expiresAt)));
      if (batch.some((record) => record.status === 'failed')) break;
    }
    await Promise.all(phaseRecords.map((record) => verifyRecord(record, services, stop, expiresAt)));
    const failed = phaseRecords.filter((record) => record.status !== 'effective');
    if (failed.length > 0 || phaseRecords.length < phase.faults.reduce((sum, f) => sum + f.targets.length, 0)) {
      const failures = failed.map((record) => ({
        faultId: record.fault.id,
        cluster: record.target.cluster,
        message: record.error ?? 'not applied',
      }));
      throw new FaultApplyError(
        failures.length > 0
          ? failures
          : [
              {
                faultId: '*',
                cluster: '*',
                message: stop.aborted ? 'stopped before every fault was applied' : 'not every fault was applied',
              },
            ],
      );
    }
    return phaseRecords.map((record) => ({
      phase: record.phase,
      faultId: record.fault.id,
      type: record.fault.type,
      cluster: record.target.cluster,
      appliedAtMs: record.appliedAtMs ?? 0,
      effectiveAtMs: record.effectiveAtMs ?? 0,
      ...(record.convergence
        ? { convergedAtMs: record.convergence.convergedAtMs, convergence: record.convergence.convergence }
        : {}),
      mutations: record.mutations.map((state) => state.mutation),
    }));
  };

  /** Newest first within a cluster; clusters in parallel (each has its own API server). */
  const revertRecords = async (selected: readonly FaultRecord[], verify: boolean): Promise<void> => {
    const byCluster = new Map<string, FaultRecord[]>();
    for (const record of selected)
      byCluster.set(record.target.cluster, [...(byCluster.get(record.target.cluster) ?? []), record]);
    await Promise.all(
      [...byCluster.values()].map(async (list) => {
        for (const record of [...list].reverse()) await revertRecord(record, services);
        if (verify) await Promise.all(list.map((record) => verifyRevertedRecord(record, services)));
      }),
    );
  };

  const revert = async (
    phase: PlannedPhase | string,
    revertOptions: { verify?: boolean } = {},
  ): Promise<RevertedFault[]> => {
    const name = typeof phase === 'string' ? phase : phase.name;
    const selected = records.filter((record) => record.phase === name);
    await revertRecords(selected, revertOptions.verify ?? true);
    const failures = unreverted(selected);
    if (failures.length > 0) throw new RevertError(failures);
    return selected.map(toReverted);
  };

  const revertAll = (
    reason = 'revert all',
    revertOptions: { verify?: boolean; inFlightWaitMs?: number } = {},
  ): Promise<RevertReport> => {
    if (revertingAll) return revertingAll;
    revertingAll = (async () => {
      const startedAtMs = now();
      stopping.abort(reason);
      // Let calls in flight land (bounded), so we undo them instead of racing them.
      await Promise.race([
        Promise.allSettled([...services.inFlight]),
        pause(revertOptions.inFlightWaitMs ?? 20_000, undefined, { ref: false }),
      ]);
      const selected = records.filter((record) => record.mutations.length > 0 || record.background);
      try {
        await revertRecords(selected, revertOptions.verify ?? true);
      } catch {
        // revertRecord never throws; this is only a guard for the signal-handler path.
      }
      return {
        reason,
        startedAtMs,
        finishedAtMs: now(),
        reverted: selected.filter((record) => record.status === 'reverted').map(toReverted),
        failures: unreverted(selected),
        unverified: selected
          .filter(
            (record) =>
              record.status === 'reverted' && record.verifiedAtMs === undefined && revertOptions.verify !== false,
          )
          .map((record) => ({
            faultId: record.fault.id,
            cluster: record.target.cluster,
            message: record.error ?? 'not verified',
            check: record.mutations.map((state) => checkCommand(state.mutation, record.api.context)).join(' && '),
          })),
      };
    })().finally(() => {
      // A later call retries whatever is still not reverted.
      revertingAll = undefined;
    });
    return revertingAll;
  };

  const extendExpiry = async (phase: string, forMs: number): Promise<string[]> => {
    const expiresAt = new Date(now() + forMs + (options.expiryMarginMs ?? 300_000)).toISOString();
    const live = records.filter((record) => record.phase === phase && record.status === 'effective');
    const problems: string[] = [];
    for (const record of live)
      for (const state of record.mutations.filter((s) => s.state === 'done' && !s.outcome))
        try {
          if (await patchExpiry(record.api, state.mutation, expiresAt)) state.mutation.expiresAt = expiresAt;
        } catch (error) {
          problems.push(`${describeMutation(state.mutation)}: expiry not extended: ${errorText(error)}`);
        }
    return problems;
  };

  return {
    runId: options.runId,
    apply,
    revert,
    revertAll,
    extendExpiry,
    outstanding: () =>
      records
        .filter((record) => record.mutations.some((state) => !state.outcome || !isSettled(state.outcome)))
        .map((record) => ({ phase: record.phase, faultId: record.fault.id, cluster: record.target.cluster })),
  };
}

/** The kubectl command that shows whether what a mutation changed is healthy again. */
export function checkCommand(mutation: Mutation, context: string): string {
  const kubectl = `kubectl --context ${context}`;
  switch (mutation.kind) {
    case 'scale':
      return `${kubectl} -n ${mutation.namespace} get ${mutation.workload.toLowerCase()} ${mutation.name}`;
    case 'hpa-pin':
      return `${kubectl} -n ${mutation.namespace} get hpa ${mutation.name}`;
    case 'keda-pause':
      return `${kubectl} -n ${mutation.namespace} get scaledobject ${mutation.name} -o yaml`;
    case 'route-insert':
    case 'virtualservice-create':
      return `${kubectl} -n ${mutation.namespace} get virtualservice ${mutation.virtualService} -o yaml`;
    case 'cordon':
      return `${kubectl} get node ${mutation.node}`;
    case 'evict':
      return `${kubectl} get pods ${mutation.namespaces.map((ns) => `-n ${ns}`).join(' ') || '-A'}`;
    case 'pod-delete':
      return `${kubectl} -n ${mutation.namespace} get pods -l ${mutation.selector}`;
  }
}

function toReverted(record: FaultRecord): RevertedFault {
  const outcomes = record.mutations
    .map((state) => state.outcome)
    .filter((outcome): outcome is RevertOutcome => outcome !== undefined);
  return {
    phase: record.phase,
    faultId: record.fault.id,
    cluster: record.target.cluster,
    revertedAtMs: record.revertedAtMs ?? 0,
    verifiedAtMs: record.verifiedAtMs,
    ...(record.revertConvergence ? { revertConvergedAtMs: record.revertConvergence.convergedAtMs } : {}),
    outcomes,
    notes: outcomes.flatMap((outcome) => (outcome.status === 'reverted' ? (outcome.notes ?? []) : [])),
  };
}

function unreverted(records: readonly FaultRecord[]): Unreverted[] {
  return records.flatMap((record) =>
    record.mutations
      .filter((state) => !state.outcome || !isSettled(state.outcome))
      .map((state) => {
        const outcome = state.outcome;
        const message =
          outcome && !isSettled(outcome)
            ? outcome.detail
            : `${describeMutation(state.mutation)}: not reverted (${describeRecord(record)})`;
        const manual =
          outcome && (outcome.status === 'failed' || outcome.status === 'conflict') && outcome.manual
            ? outcome.manual
            : mutationHandlerFor(state.mutation).manual(state.mutation, record.api.context);
        return { faultId: record.fault.id, cluster: record.target.cluster, message, manual };
      }),
  );
}
