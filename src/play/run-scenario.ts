/**
 * Run one scenario: load the inputs, plan, open the environment, run the timeline with the
 * fault session, judge, and write the result and reports. The CLI, batches, suites and game
 * days all come through here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { formatError, InputError } from '../errors/errors.js';
import { parseDuration } from '../input/units.js';
import type { CliIo } from '../system/io.js';
import { loadScenario } from './load-inputs.js';
import { parsePhaseOverrides } from '../input/phase-overrides.js';
import { assertMayMutate } from '../environment/context-allow-list.js';
import { checkParity, renderParityCheck } from './plan-parity.js';
import { requireK6 } from '../load/k6-binary.js';
import { renderEvent, renderProgress, renderVerdicts } from '../report/render-console.js';
import { buildPlan } from '../run/plan/build-plan.js';
import { executeRun } from '../run/timeline/execute-run.js';
import { operatorLoadFor } from '../run/timeline/operator-load.js';
import type { RunPlan } from '../run/plan/build-plan.js';
import type { RunControl } from '../run/timeline/run-control.js';
import { judgeRun } from '../run/judge/judge-run.js';
import { openRun } from '../run/open-run.js';
import { findJournals } from '../run/record/journal.js';
import { findOrphanedLoad, stopOrphanedLoad } from '../run/recover/orphaned-load.js';
import { checkIngresses, openEnvironment, type OpenEnvironment } from '../environment/open-environment.js';
import { checkGuards } from './check-guards.js';
import type { RunEvent, RunEventSink } from '../run/record/run-events.js';
import type { WindowSummary } from '../budgets/ledger.js';
import { watchInterrupts, type Interruption } from '../system/signals.js';
import { buildResult, type RunResult } from '../report/build-result.js';
import { writeIndex, writeResult, writeRunReports } from '../report/write-reports.js';
import { packageRoot } from '../input/files.js';
import { utcStamp } from './run-folder.js';

export interface RunOptions {
  env?: string;
  phase?: string[];
  yes?: boolean;
  quiet?: boolean;
  output: string;
  reports: string;
  /** Set by runBatch: one JSON document for the whole batch instead of one per scenario. */
  batch?: boolean;
  /** Suites: stop at the first failed scenario / run every scenario (the suite file's onFailure otherwise). */
  failFast?: boolean;
  continueOnFailure?: boolean;
  /** Game day: the full-screen live view with step control (chaos gameday). */
  interactive?: boolean;
}

/** What a suite or a game day adds to a scenario's run. */
export interface ScenarioHooks {
  /** An environment the caller opened (a suite keeps one for all its scenarios); left open here. */
  opened?: OpenEnvironment;
  /** Phase durations under --phase (a suite entry's). */
  phaseOverrides?: Record<string, number>;
  /** Game day: the facilitator's commands, and every run event for the live view. */
  control?: RunControl;
  onEvent?: (event: RunEvent, plan: RunPlan) => void;
  /** The caller's signal policy (a suite's, a game day's); default: this run's own. */
  interruption?: Interruption;
  loadSlackSeconds?: number;
}

interface ScenarioRun {
  exitCode: number;
  runDir: string;
  result: RunResult;
  /** Set when result.json was written but the other reports or the index could not be. */
  reportProblem?: string;
}

export async function runScenario(
  ref: string,
  options: RunOptions,
  io: CliIo,
  onRunDir: (dir: string) => void = () => {},
  hooks: ScenarioHooks = {},
): Promise<ScenarioRun> {
  const { scenario, environment } = loadScenario(ref, options.env, io.cwd);
  assertMayMutate(environment, options.yes === true);
  const k6 = await requireK6(io.env);
  const startedAt = Date.now();
  const runId = `r${startedAt.toString(36)}`;
  const plan = buildPlan(scenario, environment, runId, {
    ...hooks.phaseOverrides,
    ...parsePhaseOverrides(options.phase ?? []),
  });
  const startLoad = operatorLoadFor(plan, io.cwd);
  const runDir = path.resolve(io.cwd, options.reports, `${utcStamp(startedAt)}-${scenario.name}`);
  mkdirSync(runDir, { recursive: true });
  onRunDir(runDir);
  const human = options.output !== 'json' && !options.quiet;
  const say = (text: string) => {
    if (human) io.out(text);
  };
  await stopOrphans(path.resolve(io.cwd, options.reports), io);
  const interruption = hooks.interruption ?? watchInterrupts({ notify: (message) => io.err(message) });
  const opened = hooks.opened ?? (await openEnvironment(environment, io.cwd, io.env));
  try {
    say(`environment ${environment.name}: ${opened.description}`);
    // The plan named where each ingress would come from; the run records where it really went.
    for (const load of plan.load) load.target = opened.ingressUrls[load.ingress] ?? load.target;
    // Parity preflight: images, replicas and readiness across clusters of the services the faults
    // target and the load routes through.
    const parity = await checkParity(scenario, environment, opened.apis);
    for (const line of renderParityCheck(parity)) say(line);
    if (scenario.requireParity && parity.report.differences.length > 0)
      throw new InputError(
        `${scenario.name} requires parity and the clusters differ: ${parity.report.differences.join('; ')}`,
        [],
        'make the clusters the same, or remove requireParity: true to run anyway',
      );
    await checkIngresses(opened.ingressUrls, plan.load[0]?.host, scenario.load.paths[0] ?? '/');
    const sinks: RunEventSink[] = [consoleSink(plan, startedAt, say)];
    if (hooks.onEvent) sinks.push((event) => hooks.onEvent?.(event, plan));
    const throwIn = io.env.CHAOS_TEST_THROW_IN_PHASE;
    if (throwIn) sinks.push(injectedFailure(throwIn));
    const timing = verifyTimingFrom(io.env);
    const requireGuard = scenario.requireGuard || environment.requireGuard === true;
    await checkGuards(environment, requireGuard, opened.apis, say, (line) => io.err(line));
    const lockLeaseSeconds = environment.lockLeaseSeconds;
    const run = await openRun({
      plan,
      apis: opened.apis,
      runDir,
      sinks,
      timing,
      lockLeaseSeconds,
      onLockLost: interruption.fail,
    });
    run.events.emit({
      type: 'run-started',
      atMs: startedAt,
      runId,
      scenario: scenario.name,
      environment: environment.name,
      runDir: path.relative(io.cwd, runDir) || runDir,
      clusters: environment.clusters.map((cluster) => ({ name: cluster.name, context: cluster.context })),
      host: hostname(),
      pid: process.pid,
    });
    let record;
    try {
      record = await executeRun(plan, {
        k6,
        driver: run.session,
        ingressUrls: opened.ingressUrls,
        runDir,
        emit: run.events.emit,
        interrupt: interruption.interrupt,
        hurry: interruption.hurry,
        failure: interruption.failure,
        scriptPath: io.env.CHAOS_K6_SCRIPT || undefined,
        servedBy: opened.servedBy,
        control: hooks.control,
        loadSlackSeconds: hooks.loadSlackSeconds,
        startLoad,
      });
    } finally {
      // Release the lock and close the journal whatever happened (executeRun has reverted).
      await run.close();
    }
    const outcome = judgeRun(plan, record);
    const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const result = buildResult(
      plan,
      record,
      outcome,
      { chaos: pkg.version, k6: k6.version, node: process.version },
      runDir,
    );
    await writeResult(runDir, result);
    const reportProblem = await writeReports(runDir, path.resolve(io.cwd, options.reports));
    if (options.output === 'json') {
      if (!options.batch) io.out(JSON.stringify(result, null, 2));
    } else
      io.out(
        `${human ? '\n' : ''}${renderVerdicts(outcome, result.comparisons)}\nresults: ${path.relative(io.cwd, runDir)}/`,
      );
    return { exitCode: outcome.exitCode, runDir, result, reportProblem };
  } finally {
    if (!hooks.opened) await opened.close();
    if (!hooks.interruption) interruption.dispose();
  }
}

/**
 * Test hook (CHAOS_TEST_THROW_IN_PHASE=fault): an uncaught error thrown from a timer once that
 * phase has its faults, to prove that an error nobody caught still reverts everything.
 */
function injectedFailure(phase: string): RunEventSink {
  return (event) => {
    if (event.type !== 'fault-applied' || event.phase !== phase) return;
    setTimeout(() => {
      throw new Error(`injected by CHAOS_TEST_THROW_IN_PHASE=${phase}`);
    }, 100);
  };
}

/** `CHAOS_VERIFY_TIMEOUT=30s`: how long a fault may take to show its effect, and the system to come back. */
function verifyTimingFrom(env: NodeJS.ProcessEnv): { verifyTimeoutMs: number } | undefined {
  const text = env.CHAOS_VERIFY_TIMEOUT;
  if (text === undefined || text === '') return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new InputError(`CHAOS_VERIFY_TIMEOUT=${text}: expected ${parsed.expected}`);
  return { verifyTimeoutMs: parsed.value };
}

/** A dead run's k6 may still be sending load: stop it before adding ours. */
async function stopOrphans(reportsDir: string, io: CliIo): Promise<void> {
  for (const orphan of await findOrphanedLoad(await findJournals(reportsDir))) {
    const stopped = stopOrphanedLoad(orphan);
    io.err(`${stopped ? 'stopped' : 'could not stop'} k6 (pid ${orphan.pid}) left running by dead run ${orphan.runId}`);
  }
}

/** The console as a sink of run events: one line per event, one progress line per round of windows. */
function consoleSink(plan: RunPlan, startedAt: number, say: (text: string) => void): RunEventSink {
  let phase: { name: string; startedAtMs: number; plannedMs: number } | undefined;
  let pending: WindowSummary[] = [];
  return (event) => {
    if (event.type === 'phase-started')
      phase = { name: event.phase, startedAtMs: event.atMs, plannedMs: event.plannedMs };
    if (event.type === 'window') {
      pending.push(event.window);
      if (new Set(pending.map((window) => window.ingress)).size >= plan.load.length) {
        say(renderProgress(phase, pending, Date.now()));
        pending = [];
      }
      return;
    }
    const line = renderEvent(event, startedAt);
    if (line) say(line);
  };
}

/** junit.xml, report.html, summary.md from the folder's files, then the reports index. */
async function writeReports(runDir: string, reportsDir: string): Promise<string | undefined> {
  try {
    await writeRunReports(runDir);
    await writeIndex(reportsDir);
    return undefined;
  } catch (error) {
    return formatError(error);
  }
}
