/**
 * Everything a run holds while faults may be applied, opened in order: preflight (the steady
 * state holds; nothing changes otherwise), the write-ahead journal and the run's event log, the
 * lock, and the fault session that writes through the log. `close` releases the lock and closes
 * the journal — call it after the timeline's revertAll, on every way out.
 */
import path from 'node:path';
import type { ClusterApis } from '../kube/cluster-api.js';
import type { RunPlan } from './build-plan.js';
import { createEventLog, type EventLog } from './event-log.js';
import { createFaultSession, type FaultSession } from './fault-session.js';
import { journalFileName, openJournal } from './journal.js';
import { acquireLock } from './lock.js';
import { preflight } from './preflight.js';
import type { RunEventSink } from './run-events.js';

export interface OpenRun {
  events: EventLog;
  session: FaultSession;
  /** Why the lock was lost mid-run, if it was. */
  lockLost(): string | undefined;
  /** Release the lock and close the journal; returns the problems met doing so. */
  close(): Promise<string[]>;
}

export async function openRun(options: {
  plan: RunPlan;
  apis: ClusterApis;
  runDir: string;
  sinks?: readonly RunEventSink[];
  /** The lock was lost mid-run (taken over, or not renewable for its whole duration): stop the run. */
  onLockLost?: (reason: string) => void;
}): Promise<OpenRun> {
  const { plan, apis } = options;
  await preflight(plan, apis);
  const events = createEventLog(await openJournal(path.join(options.runDir, journalFileName)), options.sinks);
  let lost: string | undefined;
  let lock;
  try {
    lock = await acquireLock(apis, {
      namespace: plan.environment.namespace,
      runId: plan.runId,
      onLost: (cluster, reason) => {
        lost = `lock lost in ${cluster}: ${reason}`;
        events.emit({ type: 'lock-lost', atMs: Date.now(), runId: plan.runId, cluster, reason });
        options.onLockLost?.(lost);
      },
    });
  } catch (error) {
    await events.close();
    throw error;
  }
  events.emit({
    type: 'lock-acquired',
    atMs: Date.now(),
    runId: plan.runId,
    holder: lock.holder,
    clusters: lock.clusters,
  });
  const session = createFaultSession({ runId: plan.runId, apis, journal: events });
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
