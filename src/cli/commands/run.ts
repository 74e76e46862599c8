import type { Command } from 'commander';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exitCodeOf, formatError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { loadScenario } from '../inputs.js';
import { parsePhaseOverrides } from '../options.js';
import { assertMayMutate } from '../../environment/guard.js';
import { requireK6 } from '../../load/k6-binary.js';
import { renderEvent, renderProgress, renderVerdicts } from '../../report/render-console.js';
import { buildPlan } from '../../run/build-plan.js';
import { executeRun } from '../../run/execute-run.js';
import { operatorLoadFor } from '../../load/k6-operator-load.js';
import type { RunPlan } from '../../run/build-plan.js';
import type { RunControl } from '../../run/run-control.js';
import { findSuiteFile } from '../../suite/read-suite.js';
import { runSuiteFile } from '../../suite/suite-command.js';
import { runGameday } from '../../gameday/run-gameday.js';
import { judgeRun } from '../../run/judge-run.js';
import { createKubeFaultDriver } from '../../run/kube-fault-driver.js';
import { checkIngresses, openEnvironment, type OpenEnvironment } from '../../run/open-environment.js';
import type { RunEvent } from '../../run/run-events.js';
import { buildResult, type RunResult } from '../../run/run-result.js';
import { batchSchemaVersion, type BatchRecord } from '../../report/report-input.js';
import {
  writeBatchRecord,
  writeBatchReports,
  writeIndex,
  writeResult,
  writeRunReports,
} from '../../report/write-reports.js';
import { packageRoot } from '../../scenario/read-scenario.js';

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

/** `20261122T021500Z` — sorts by time, safe in paths. */
export function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export function registerRun(program: Command, io: CliIo, status: { code: number }): void {
  program
    .command('run')
    .description(
      'run a scenario: k6 load through every ingress, faults applied and always reverted, verdicts per phase and ingress',
    )
    .argument(
      '<scenarios...>',
      'scenario name (in scenarios/) or file; several run one after another, each in its own folder, plus a combined junit.xml and summary.md',
    )
    .option('--env <name>', "environment: lab (default: the scenario's) or a file in environments/")
    .option('--phase <name=duration...>', 'override a phase duration, e.g. --phase fault=20s (repeatable)')
    .option('--yes', "allow changes to contexts that are not on the environment's allow-list")
    .option('--quiet', 'print only the verdict')
    .option('--output <format>', 'text, or json (the result document on stdout)', 'text')
    .option('--reports <dir>', 'where run folders go', 'reports')
    .option('--fail-fast', 'suites: stop at the first scenario that fails')
    .option(
      '--continue-on-failure',
      'suites: run every scenario whatever happens (the default unless the suite says onFailure: stop)',
    )
    .option('--interactive', 'game day: full-screen live view, steps advanced by key (same as chaos gameday)')
    .action(async (refs: string[], options: RunOptions) => {
      const suiteFile = refs.length === 1 ? findSuiteFile(refs[0]!, io.cwd) : undefined;
      if (options.interactive) status.code = await runGameday(refs, options, io, { runScenario });
      else if (suiteFile) status.code = await runSuiteFile(suiteFile, options, io, { runScenario, combineExitCodes });
      else if (refs.length === 1) {
        const run = await runScenario(refs[0]!, options, io);
        if (run.reportProblem) io.err(`chaos: reports not written: ${run.reportProblem}`);
        status.code = run.reportProblem && run.exitCode === ExitCode.passed ? ExitCode.harnessError : run.exitCode;
      } else status.code = await runBatch(refs, options, io);
    });
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

/** Interrupted first, then harness errors, then breached budgets: never only the last scenario's code. */
export function combineExitCodes(codes: readonly number[]): number {
  const order: number[] = [
    ExitCode.interrupted,
    ExitCode.harnessError,
    ExitCode.budgetsBreached,
    ExitCode.invalidInput,
  ];
  return (
    order.find((code) => codes.includes(code)) ?? codes.find((code) => code !== ExitCode.passed) ?? ExitCode.passed
  );
}

/** `chaos run a b c`: every scenario checked first, then run in order, then the combined reports. */
async function runBatch(refs: readonly string[], options: RunOptions, io: CliIo): Promise<number> {
  const names = refs.map((ref) => loadScenario(ref, options.env, io.cwd).scenario.name);
  const startedAt = Date.now();
  const runs: BatchRecord['runs'] = [];
  const results: RunResult[] = [];
  for (const [i, ref] of refs.entries()) {
    if (options.output !== 'json' && !options.quiet)
      io.out(`${i > 0 ? '\n' : ''}== ${names[i]} (${i + 1} of ${refs.length})`);
    let runDir: string | undefined;
    try {
      const run = await runScenario(ref, { ...options, batch: true }, io, (dir) => {
        runDir = dir;
      });
      if (run.reportProblem) io.err(`chaos: ${names[i]}: reports not written: ${run.reportProblem}`);
      runs.push({
        scenario: names[i]!,
        folder: path.basename(run.runDir),
        exitCode: run.reportProblem && run.exitCode === ExitCode.passed ? ExitCode.harnessError : run.exitCode,
      });
      results.push(run.result);
      if (run.exitCode === ExitCode.interrupted) break;
    } catch (error) {
      io.err(`chaos: ${names[i]}: ${formatError(error)}`);
      runs.push({
        scenario: names[i]!,
        folder: runDir ? path.basename(runDir) : null,
        exitCode: exitCodeOf(error),
        error: formatError(error),
      });
    }
  }
  const exitCode = combineExitCodes(runs.map((run) => run.exitCode));
  const reportsDir = path.resolve(io.cwd, options.reports);
  const batchDir = path.join(reportsDir, `${utcStamp(Date.now())}-batch`);
  mkdirSync(batchDir, { recursive: true });
  await writeBatchRecord(batchDir, {
    schemaVersion: batchSchemaVersion,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date().toISOString(),
    exitCode,
    runs,
  });
  const problem = await writeBatchReports(batchDir)
    .then(() => writeIndex(reportsDir))
    .then(
      () => undefined,
      (error: unknown) => formatError(error),
    );
  if (problem) io.err(`chaos: combined reports not written: ${problem}`);
  if (options.output === 'json') io.out(JSON.stringify(results, null, 2));
  else {
    const lines = runs.map(
      (run) =>
        `  ${run.exitCode === ExitCode.passed ? 'pass' : 'FAIL'}  ${run.scenario}  (exit ${run.exitCode}${run.folder ? `, ${run.folder}/` : ''})`,
    );
    io.out(
      `\nbatch of ${refs.length}: ${runs.filter((run) => run.exitCode === ExitCode.passed).length} passed, ${refs.length - runs.length} not run\n${lines.join('\n')}\ncombined: ${path.relative(io.cwd, batchDir)}/`,
    );
  }
  return problem && exitCode === ExitCode.passed ? ExitCode.harnessError : exitCode;
}
