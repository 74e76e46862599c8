/**
 * Run one scenario: load the inputs, plan, open the environment, run the timeline with the
 * fault session, judge, and write the result and reports. The CLI, batches, suites and game
 * days all come through here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatError, InputError } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { loadScenario } from './load-inputs.js';
import { parsePhaseOverrides } from '../input/phase-overrides.js';
import { assertMayMutate } from '../environment/guard.js';
import { readParity, renderParity } from '../environment/parity.js';
import { targetedServices } from '../scenario/targeted-services.js';
import { requireK6 } from '../load/k6-binary.js';
import { renderEvent, renderProgress, renderVerdicts } from '../report/render-console.js';
import { buildPlan } from '../run/build-plan.js';
import { executeRun } from '../run/execute-run.js';
import { operatorLoadFor } from '../run/operator-load.js';
import type { RunPlan } from '../run/build-plan.js';
import type { RunControl } from '../run/run-control.js';
import { judgeRun } from '../run/judge-run.js';
import { createKubeFaultDriver } from '../run/kube-fault-driver.js';
import { checkIngresses, openEnvironment, type OpenEnvironment } from '../environment/open-environment.js';
import type { RunEvent } from '../run/run-events.js';
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

  // Signals: the first reverts and stops; a second skips waiting for k6, never the revert.
  const interrupt = new AbortController();
  const hurry = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) {
      io.err(`\n${signal}: reverting every fault and stopping k6 (again to skip waiting for k6)`);
      interrupt.abort(`interrupted by ${signal}`);
    } else hurry.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const opened = hooks.opened ?? (await openEnvironment(environment, io.cwd));
  try {
    say(`environment ${environment.name}: ${opened.description}`);
    // Parity preflight: the targeted services' images, replicas and readiness across clusters.
    const parity = await readParity(environment, opened.apis, targetedServices(scenario));
    for (const line of renderParity(parity)) say(line);
    if (scenario.requireParity && parity.differences.length > 0)
      throw new InputError(
        `${scenario.name} requires parity and the clusters differ: ${parity.differences.join('; ')}`,
        [],
        'make the clusters the same, or remove requireParity: true to run anyway',
      );
    await checkIngresses(opened.ingressUrls, plan.load[0]?.host, scenario.load.paths[0] ?? '/');
    const driver = await createKubeFaultDriver({ plan, apis: opened.apis, runDir });
    let phase: { name: string; startedAtMs: number; plannedMs: number } | undefined;
    let pending: RunEvent[] = [];
    const emit = (event: RunEvent) => {
      driver.record(event);
      hooks.onEvent?.(event, plan);
      if (event.type === 'phase-started')
        phase = { name: event.phase, startedAtMs: event.atMs, plannedMs: event.plannedMs };
      if (event.type === 'window') {
        pending.push(event);
        const ingresses = new Set(pending.map((e) => (e.type === 'window' ? e.window.ingress : '')));
        if (ingresses.size >= plan.load.length) {
          say(
            renderProgress(
              phase,
              pending.map((e) => (e.type === 'window' ? e.window : undefined)).filter((w) => w !== undefined),
              Date.now(),
            ),
          );
          pending = [];
        }
        return;
      }
      const line = renderEvent(event, startedAt);
      if (line) say(line);
    };
    emit({
      type: 'run-started',
      atMs: startedAt,
      runId,
      scenario: scenario.name,
      environment: environment.name,
      runDir: path.relative(io.cwd, runDir) || runDir,
    });
    let record;
    try {
      record = await executeRun(plan, {
        k6,
        driver,
        ingressUrls: opened.ingressUrls,
        runDir,
        emit,
        interrupt: interrupt.signal,
        hurry: hurry.signal,
        scriptPath: io.env.CHAOS_K6_SCRIPT || undefined,
        servedBy: opened.servedBy,
        control: hooks.control,
        loadSlackSeconds: hooks.loadSlackSeconds,
        startLoad,
      });
    } finally {
      // Release the lock and close the journal whatever happened (executeRun has reverted).
      await driver.close();
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
    } else io.out(`${human ? '\n' : ''}${renderVerdicts(outcome)}\nresults: ${path.relative(io.cwd, runDir)}/`);
    return { exitCode: outcome.exitCode, runDir, result, reportProblem };
  } finally {
    if (!hooks.opened) await opened.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
