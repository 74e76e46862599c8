/**
 * The third step, the only one that changes anything: the run opened (lock, preflight of the plan,
 * journal, fault session), the timeline played — load, faults applied and reverted — and the run
 * closed on every way out.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { OpenEnvironment } from '../../environment/open-environment.js';
import type { RunEventSink } from '../../run/record/run-events.js';
import { openRun } from '../../run/open-run.js';
import { executeRun } from '../../run/timeline/execute-run.js';
import type { RunRecord } from '../../run/timeline/run-record.js';
import type { Interruption } from '../../system/signals.js';
import type { CliIo } from '../../system/io.js';
import { consoleSink } from './console-sink.js';
import type { PreparedRun } from './prepare-run.js';
import type { RunSettings } from './run-settings.js';
import type { ScenarioHooks } from './run-types.js';

export async function conductRun(
  prepared: PreparedRun,
  opened: OpenEnvironment,
  interruption: Interruption,
  context: { io: CliIo; settings: RunSettings; hooks: ScenarioHooks },
): Promise<RunRecord> {
  const { plan, environment, startedAt, runDir } = prepared;
  const { io, settings, hooks } = context;
  const sinks: RunEventSink[] = [consoleSink(plan, startedAt, prepared.say, io.logFormat)];
  if (hooks.onEvent) sinks.push((event) => hooks.onEvent?.(event, plan));
  sinks.push(...settings.subscribers);
  for (const output of settings.outputs) if (output.openRun) sinks.push(output.openRun(plan, environment.name));
  const run = await openRun({
    plan,
    apis: opened.apis,
    runDir,
    sinks,
    timing: settings.timing,
    lockLeaseSeconds: environment.lockLeaseSeconds,
    onLockLost: interruption.fail,
  });
  run.events.emit({
    type: 'run-started',
    atMs: startedAt,
    runId: plan.runId,
    scenario: plan.scenario.name,
    environment: environment.name,
    runDir: path.relative(io.cwd, runDir) || runDir,
    clusters: environment.clusters.map((cluster) => ({ name: cluster.name, context: cluster.context })),
    host: hostname(),
    pid: process.pid,
  });
  try {
    const record = await executeRun(plan, {
      k6: prepared.k6,
      driver: run.session,
      ingressUrls: opened.ingressUrls,
      runDir,
      emit: run.events.emit,
      interrupt: interruption.interrupt,
      hurry: interruption.hurry,
      failure: interruption.failure,
      scriptPath: settings.scriptPath,
      rawSamples: settings.rawSamples,
      servedBy: opened.servedBy,
      control: hooks.control,
      loadSlackSeconds: hooks.loadSlackSeconds,
      startLoad: prepared.startLoad,
    });
    const lockLost = run.lockLost();
    return lockLost ? { ...record, lockLost } : record;
  } finally {
    // Release the lock and close the journal whatever happened (executeRun has reverted).
    await run.close();
  }
}
