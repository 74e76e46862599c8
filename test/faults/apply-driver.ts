/**
 * A stand-in for `chaos run` that the SIGKILL test kills: it takes the environment's lock,
 * opens the run's journal, applies the given faults through the fault session, prints
 * `APPLIED <runId>` and then waits (bounded) to be killed. Never reverts by itself.
 *
 *   node --import tsx test/faults/apply-driver.ts <environment.yaml> <reportsDir> <runId> <faults.json> [leaseSeconds]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readEnvironment } from '../../src/environment/read-environment.js';
import { pluginFor } from '../../src/faults/registry.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import type { PlannedPhase } from '../../src/run/plan/build-plan.js';
import { createFaultSession } from '../../src/run/session/fault-session.js';
import { journalFileName, openJournal } from '../../src/run/record/journal.js';
import { acquireLock } from '../../src/run/session/lock.js';
import type { Fault } from '../../src/scenario/types.js';

async function drive(): Promise<void> {
  const [environmentFile, reportsDir, runId, faultsFile, leaseSeconds = '2'] = process.argv.slice(2);
  if (!environmentFile || !reportsDir || !runId || !faultsFile)
    throw new Error('usage: apply-driver <environment.yaml> <reportsDir> <runId> <faults.json> [leaseSeconds]');
  const environment = readEnvironment(environmentFile);
  const apis = connectEnvironment(environment);
  const faults = JSON.parse(readFileSync(faultsFile, 'utf8')) as Fault[];
  const journal = await openJournal(path.join(reportsDir, `run-${runId}`, journalFileName));
  await journal.append({
    type: 'run-started',
    atMs: Date.now(),
    runId,
    scenario: 'sigkill-driver',
    environment: environment.name,
    pid: process.pid,
  });
  const lock = await acquireLock(apis, { runId, leaseSeconds: Number(leaseSeconds) });
  await journal.append({
    type: 'lock-acquired',
    atMs: Date.now(),
    runId,
    holder: lock.holder,
    clusters: lock.clusters,
  });
  const phase: PlannedPhase = {
    name: 'fault',
    startMs: 0,
    durationMs: 60_000,
    faults: faults.map((fault) => ({
      fault,
      targets: environment.clusters
        .filter((cluster) => fault.clusters.kind === 'all' || fault.clusters.names.includes(cluster.name))
        .map((cluster) => {
          const target = { cluster: cluster.name, context: cluster.context, namespace: environment.namespace, runId };
          return { ...target, mutations: pluginFor(fault).plan(fault, target) };
        }),
    })),
  };
  const session = createFaultSession({
    runId,
    apis,
    journal,
    timing: { verifyTimeoutMs: 60_000, pollIntervalMs: 200, evictionRetryMs: 500 },
  });
  await session.apply(phase);
  process.stdout.write(`APPLIED ${runId}\n`);
  // Wait to be killed; bounded so a test that forgets to kill us does not leave a process behind.
  await new Promise((resolve) => setTimeout(resolve, 120_000));
  process.stderr.write('apply-driver: not killed within 120 s, exiting without reverting\n');
}

drive().catch((error: unknown) => {
  process.stderr.write(`apply-driver: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
