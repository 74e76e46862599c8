/**
 * The runner's fault driver over the Kubernetes API: preflight, the environment lock, the
 * write-ahead journal and the fault session, behind the FaultDriver interface of the timeline.
 */
import path from 'node:path';
import { HarnessError } from '../errors/errors.js';
import { checkWorkloadReplicas } from '../faults/readiness.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import type { RunPlan } from './build-plan.js';
import { checkPlan, describeChecks } from './check-plan.js';
import type { FaultDriver } from './fault-driver.js';
import { createFaultSession } from './fault-session.js';
import { journalFileName, openJournal, type JournalEntry } from './journal.js';
import { acquireLock } from './lock.js';
import type { RunEvent } from './run-events.js';

export interface KubeFaultDriver extends FaultDriver {
  /** Journal a run event (windows stay out of the journal: they are in result.json). */
  record(event: RunEvent): void;
  /** Why the lock was lost mid-run, if it was. */
  lockLost(): string | undefined;
  /** Release the lock and close the journal; call after revertAll. */
  close(): Promise<string[]>;
}

/** Before anything changes: every workload a scale fault targets exists and is ready in every cluster. */
async function preflight(plan: RunPlan, apis: ClusterApis): Promise<void> {
  const problems: string[] = [];
  for (const phase of plan.phases) {
    for (const { fault, targets } of phase.faults) {
      if (fault.type !== 'scale') continue;
      for (const target of targets) {
        const api = apis.get(target.cluster);
        if (!api) {
          problems.push(`no API client for cluster ${target.cluster}`);
          continue;
        }
        try {
          const workload = await api.readWorkload(fault.kind, target.namespace, fault.name);
          const wanted = workload.spec?.replicas ?? 0;
          const problem =
            wanted > 0 ? await checkWorkloadReplicas(api, fault.kind, target.namespace, fault.name, wanted) : undefined;
          if (problem) problems.push(`${target.cluster}: ${problem}`);
        } catch (error) {
          problems.push(`${target.cluster}: ${(error as Error).message}`);
        }
      }
    }
  }
  // Every fault's refusals (drain of unmanaged Pods, a second VirtualService, volumes deleted by a scale-down…).
  const checks = await checkPlan(plan, apis);
  for (const check of checks)
    if (check.unread) problems.push(`${check.cluster}: fault ${check.faultId}: could not check: ${check.unread}`);
  problems.push(...describeChecks(checks).map((line) => `refused: ${line}`));
  if (problems.length > 0)
    throw new HarnessError(
      `preflight failed, nothing was changed:\n  ${problems.join('\n  ')}`,
      'the steady state must hold before a fault is injected',
    );
}

export async function createKubeFaultDriver(options: {
  plan: RunPlan;
  apis: ClusterApis;
  runDir: string;
}): Promise<KubeFaultDriver> {
  const { plan, apis } = options;
  await preflight(plan, apis);
  const journal = await openJournal(path.join(options.runDir, journalFileName));
  let writes: Promise<void> = Promise.resolve();
  const journalErrors: string[] = [];
  const write = (entry: JournalEntry) => {
    writes = writes
      .then(() => journal.append(entry))
      .catch((error: Error) => {
        journalErrors.push(error.message);
      });
  };
  let lost: string | undefined;
  let lock;
  try {
    lock = await acquireLock(apis, {
      namespace: plan.environment.namespace,
      runId: plan.runId,
      onLost: (cluster, reason) => {
        lost = `lock lost in ${cluster}: ${reason}`;
      },
    });
  } catch (error) {
    await journal.close();
    throw error;
  }
  write({ type: 'lock-acquired', atMs: Date.now(), runId: plan.runId, holder: lock.holder, clusters: lock.clusters });
  const session = createFaultSession({ runId: plan.runId, apis, journal });
  return {
    apply: async (phase, signal) =>
      (await session.apply(phase, signal)).map((a) => ({
        faultId: a.faultId,
        cluster: a.cluster,
        appliedAtMs: a.appliedAtMs,
        effectiveAtMs: a.effectiveAtMs,
        ...(a.convergedAtMs !== undefined ? { convergedAtMs: a.convergedAtMs, convergence: a.convergence } : {}),
      })),
    revert: async (phase) =>
      (await session.revert(phase)).map((r) => ({
        faultId: r.faultId,
        cluster: r.cluster,
        revertedAtMs: r.revertedAtMs,
        ...(r.revertConvergedAtMs !== undefined ? { revertConvergedAtMs: r.revertConvergedAtMs } : {}),
      })),
    revertAll: async (reason) => {
      const report = await session.revertAll(reason);
      return {
        reverted: report.reverted.map((r) => ({
          faultId: r.faultId,
          cluster: r.cluster,
          revertedAtMs: r.revertedAtMs,
        })),
        failures: report.failures,
      };
    },
    record: (event) => {
      // The session journals its own fault entries; windows live in result.json.
      if (event.type === 'window' || event.type === 'fault-applied' || event.type === 'fault-reverted') return;
      write(event);
    },
    lockLost: () => lost,
    close: async () => {
      const problems = await lock.release();
      write({ type: 'lock-released', atMs: Date.now(), runId: plan.runId, problems });
      await writes;
      await journal.close();
      return [...problems, ...journalErrors];
    },
  };
}
