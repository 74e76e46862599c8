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
 *   it appends them to the run's event log (src/run/record/event-log.ts), which journals them and hands
 *   them to the console and the game-day view; the timeline never re-announces a fault.
 */
import { HarnessError } from '../../errors/errors.js';
import type { FaultTiming } from '../../faults/fault-plugin.js';
import { describeMutation, isSettled } from '../../faults/mutation.js';
import type { ClusterApis } from '../../kube/cluster-api.js';
import type { PlannedPhase } from '../plan/build-plan.js';
import {
  applyFailure,
  FaultApplyError,
  RevertError,
  toApplied,
  toReverted,
  unreverted,
  unverifiedOf,
} from './fault-session-report.js';
import type { AppliedFault, FaultDriver, RevertedFault, RevertReport } from './fault-driver.js';
import {
  applyRecord,
  revertRecord,
  verifyRecord,
  verifyRevertedRecord,
  type FaultRecord,
  type SessionServices,
} from './fault-session-records.js';
import type { EventRecorder } from '../record/event-log.js';
import { patchExpiry } from './extend-expiry.js';
import { errorText } from '../../errors/errors.js';
import { pause } from '../../system/sleep.js';

export { FaultApplyError, RevertError };

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
  /** The lock's fence (lock.ts): every mutation and expiry write is checked against it. Default: none. */
  fence?: (cluster: string) => Promise<void>;
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
  const stopping = new AbortController();
  let counter = 0;
  let revertingAll: Promise<RevertReport> | undefined;
  const session: SessionState = {
    options,
    records: [],
    stopping,
    services: {
      append: (entry) => options.journal.append(entry),
      now: options.now ?? Date.now,
      sleep: pause,
      random: options.random ?? Math.random,
      timing: { ...defaultTiming, ...options.timing },
      stopping: stopping.signal,
      nextMutationId: (record) => `${record.fault.id}@${record.target.cluster}#${(counter += 1)}`,
      inFlight: new Set(),
      fence: options.fence ?? (async () => undefined),
    },
  };
  return {
    runId: options.runId,
    apply: (phase, signal) => applyPhase(session, phase, signal),
    revert: (phase, revertOptions = {}) => revertPhase(session, phase, revertOptions.verify ?? true),
    revertAll: (reason = 'revert all', revertOptions = {}) => {
      // Concurrent calls share one attempt.
      if (revertingAll) return revertingAll;
      revertingAll = revertEverything(session, reason, revertOptions).finally(() => {
        // A later call retries whatever is still not reverted.
        revertingAll = undefined;
      });
      return revertingAll;
    },
    extendExpiry: (phase, forMs) => extendPhaseExpiry(session, phase, forMs),
    outstanding: () =>
      session.records
        .filter((record) => record.mutations.some((state) => !state.outcome || !isSettled(state.outcome)))
        .map((record) => ({ phase: record.phase, faultId: record.fault.id, cluster: record.target.cluster })),
  };
}

/** One session's state: every fault record in the order applied, and the switch revertAll throws. */
interface SessionState {
  options: FaultSessionOptions;
  services: SessionServices;
  records: FaultRecord[];
  stopping: AbortController;
}

async function applyPhase(session: SessionState, phase: PlannedPhase, signal?: AbortSignal): Promise<AppliedFault[]> {
  const { options, services, records, stopping } = session;
  const stop = signal ? AbortSignal.any([signal, stopping.signal]) : stopping.signal;
  const expiresAt = new Date(services.now() + phase.durationMs + (options.expiryMarginMs ?? 300_000)).toISOString();
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
  const failure = applyFailure(phase, phaseRecords, stop.aborted);
  if (failure) throw failure;
  return phaseRecords.map(toApplied);
}

/** Newest first within a cluster; clusters in parallel (each has its own API server). */
async function revertRecords(
  selected: readonly FaultRecord[],
  verify: boolean,
  services: SessionServices,
): Promise<void> {
  const byCluster = new Map<string, FaultRecord[]>();
  for (const record of selected)
    byCluster.set(record.target.cluster, [...(byCluster.get(record.target.cluster) ?? []), record]);
  await Promise.all(
    [...byCluster.values()].map(async (list) => {
      for (const record of [...list].reverse()) await revertRecord(record, services);
      if (verify) await Promise.all(list.map((record) => verifyRevertedRecord(record, services)));
    }),
  );
}

async function revertPhase(
  session: SessionState,
  phase: PlannedPhase | string,
  verify: boolean,
): Promise<RevertedFault[]> {
  const name = typeof phase === 'string' ? phase : phase.name;
  const selected = session.records.filter((record) => record.phase === name);
  await revertRecords(selected, verify, session.services);
  const failures = unreverted(selected);
  if (failures.length > 0) throw new RevertError(failures);
  return selected.map(toReverted);
}

async function revertEverything(
  session: SessionState,
  reason: string,
  revertOptions: { verify?: boolean; inFlightWaitMs?: number },
): Promise<RevertReport> {
  const { services, records, stopping } = session;
  const startedAtMs = services.now();
  stopping.abort(reason);
  // Let calls in flight land (bounded), so we undo them instead of racing them.
  await Promise.race([
    Promise.allSettled([...services.inFlight]),
    pause(revertOptions.inFlightWaitMs ?? 20_000, undefined, { ref: false }),
  ]);
  const selected = records.filter((record) => record.mutations.length > 0 || record.background);
  try {
    await revertRecords(selected, revertOptions.verify ?? true, services);
  } catch {
    // revertRecord never throws; this is only a guard for the signal-handler path.
  }
  return {
    reason,
    startedAtMs,
    finishedAtMs: services.now(),
    reverted: selected.filter((record) => record.status === 'reverted').map(toReverted),
    failures: unreverted(selected),
    unverified: revertOptions.verify === false ? [] : unverifiedOf(selected),
  };
}

/** Push expiry to at least now + forMs + margin; never earlier than it already is (a hold never shortens it). */
async function extendPhaseExpiry(session: SessionState, phase: string, forMs: number): Promise<string[]> {
  const expiresAtMs = session.services.now() + forMs + (session.options.expiryMarginMs ?? 300_000);
  const expiresAt = new Date(expiresAtMs).toISOString();
  const live = session.records.filter((record) => record.phase === phase && record.status === 'effective');
  const problems: string[] = [];
  for (const record of live)
    for (const state of record.mutations.filter((s) => s.state === 'done' && !s.outcome))
      try {
        const current = state.mutation.expiresAt === undefined ? NaN : Date.parse(state.mutation.expiresAt);
        if (current >= expiresAtMs) continue;
        await session.services.fence(record.target.cluster);
        const patched = await patchExpiry(record.api, state.mutation, expiresAt, session.services.now());
        if (patched) state.mutation.expiresAt = expiresAt;
      } catch (error) {
        problems.push(`${describeMutation(state.mutation)}: expiry not extended: ${errorText(error)}`);
      }
  return problems;
}
