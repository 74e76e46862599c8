/**
 * Everything a run holds while faults may be applied, opened in order: the lock of every cluster,
 * preflight (the steady state holds; nothing changes otherwise), the scan for a dead run's
 * leftovers, the write-ahead journal and the run's event log, and the fault session that writes
 * through the log. `close` releases the lock and closes
 * the journal — call it after the timeline's revertAll, on every way out.
 */
import path from 'node:path';
import type { FaultTiming } from '../faults/fault-plugin.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import { HarnessError } from '../errors/errors.js';
import { describeMutation } from '../faults/mutation.js';
import { findLeftovers } from './recover/recover.js';
import type { RunPlan } from './plan/build-plan.js';
import { createEventLog, type EventLog } from './record/event-log.js';
import { createFaultSession, type FaultSession } from './session/fault-session.js';
import { journalFileName, openJournal } from './record/journal.js';
import { acquireLock } from './session/lock.js';
import { preflight } from './plan/preflight.js';
import type { RunEventSink } from './record/run-events.js';

export interface OpenRun {
  events: EventLog;
  session: FaultSession;
  /** Why the lock was lost mid-run, if it was. */
  lockLost(): string | undefined;
  /** Release the lock and close the journal; returns the problems met doing so. */
  close(): Promise<string[]>;
}

/**
 * Before anything is applied: what a dead run left behind (the same scan as `chaos recover`)
 * would make this run's verdict meaningless — a drain would skip nodes a dead run left cordoned
 * and "pass". With the lock held, no live run can own what is found.
 */
async function refuseLeftovers(plan: RunPlan, apis: ClusterApis): Promise<void> {
  const findings = await findLeftovers({ environment: plan.environment, apis });
  const recover = `chaos recover --env ${plan.environment.builtIn ? plan.environment.name : plan.environment.file}`;
  if (findings.leftovers.length > 0) {
    const list = findings.leftovers.map((l) => `${describeMutation(l.mutation)} (run ${l.mutation.runId})`);
    throw new HarnessError(
      `nothing was changed: ${findings.leftovers.length} leftover(s) of another run are still applied:\n  ${list.join('\n  ')}`,
      `undo them first: ${recover}`,
    );
  }
  if (findings.problems.length > 0)
    throw new HarnessError(
      `nothing was changed: the clusters could not be checked for a dead run's leftovers:\n  ${findings.problems.join('\n  ')}`,
      `the run's account needs the cluster-wide lists of deploy/rbac.yaml; then ${recover} shows what is left`,
    );
}

export async function openRun(options: {
  plan: RunPlan;
  apis: ClusterApis;
  runDir: string;
  sinks?: readonly RunEventSink[];
  /** Bounds of the fault session's waits (default: defaultTiming of fault-session.ts). */
  timing?: Partial<FaultTiming>;
  /** The lock was lost mid-run (taken over, or not renewable for its whole duration): stop the run. */
  onLockLost?: (reason: string) => void;
  /** The lock Lease's duration (default 30 s: lock.ts). */
  lockLeaseSeconds?: number;
}): Promise<OpenRun> {
  const { plan, apis } = options;
  // The lock first: a second run over the same clusters is refused by it, whatever else it would meet.
  let lost: string | undefined;
  let events: EventLog | undefined;
  const lock = await acquireLock(apis, {
    runId: plan.runId,
    leaseSeconds: options.lockLeaseSeconds,
    onLost: (cluster, reason) => {
      lost = `lock lost in ${cluster}: ${reason}`;
      events?.emit({ type: 'lock-lost', atMs: Date.now(), runId: plan.runId, cluster, reason });
      options.onLockLost?.(lost);
    },
  });
  try {
    await preflight(plan, apis);
    // With the lock held, no live run can own what is found here.
    await refuseLeftovers(plan, apis);
    events = createEventLog(await openJournal(path.join(options.runDir, journalFileName)), options.sinks);
  } catch (error) {
    await lock.release();
    throw error;
  }
  events.emit({
    type: 'lock-acquired',
    atMs: Date.now(),
    runId: plan.runId,
    holder: lock.holder,
    clusters: lock.clusters,
  });
  const session = createFaultSession({ runId: plan.runId, apis, journal: events, timing: options.timing });
  return {
    events,
    session,
    lockLost: () => lost,
    close: async () => {
      const problems = await lock.release();
      events.emit({ type: 'lock-released', atMs: Date.now(), runId: plan.runId, problems });
      return [...problems, ...(await events.close())];
    },
  };
}
