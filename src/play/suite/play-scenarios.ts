/**
 * Several scenarios in order, with combined reports: a batch (`chaos run a b c`) is a suite
 * without settle checks, a suite is a named batch with them. Both come through here: the order of
 * play (play-suite.ts), each scenario's run, the exit code combined over every scenario, the
 * combined junit.xml / summary.md, the reports index and the console summary.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { exitCodeOf, formatError } from '../../errors/errors.js';
import { combineExitCodes, ExitCode } from '../../errors/exit-codes.js';
import type { RunResult } from '../../report/build-result.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';
import { batchSchemaVersion } from '../../report/report-input.js';
import { writeBatchRecord, writeBatchReports, writeIndex } from '../../report/write-reports.js';
import type { CliIo } from '../../system/io.js';
import type { Interruption } from '../../system/signals.js';
import { utcStamp } from '../run-folder.js';
import { runScenario, type RunOptions, type ScenarioHooks } from '../run-scenario.js';
import { playSuite, type SuitePlay, type SuitePlayers, type SuiteRun } from './play-suite.js';
import type { RunSettings } from '../scenario-run/run-settings.js';
import type { SuiteEntry } from './read-suite.js';

export interface Playlist {
  kind: 'batch' | 'suite';
  /** The suite's name; `batch` for a batch (it names the combined folder). */
  name: string;
  entries: readonly SuiteEntry[];
  failFast: boolean;
  /** Suites only: is the environment back to its steady state before the next scenario? */
  settle?: SuitePlayers['settle'];
  /** What each scenario's run gets (a suite's open environment, phase overrides). */
  hooksFor(entry: SuiteEntry, index: number): Promise<ScenarioHooks>;
}

export async function playScenarios(
  list: Playlist,
  options: RunOptions,
  io: CliIo,
  context: { settings: RunSettings; interruption: Interruption },
): Promise<number> {
  const say = (text: string) => {
    if (options.output !== 'json' && !options.quiet) io.out(text);
  };
  const interrupted = () => context.interruption.interrupt.aborted;
  const results: RunResult[] = [];
  const startedAt = Date.now();
  const runOne = scenarioPlayer(list, options, io, context, { say, results });
  const play = await playSuite(
    list.entries,
    { failFast: list.failFast },
    { say, interrupted, settle: list.settle, runOne },
  );
  const codes = play.runs.map((run) => run.exitCode);
  const exitCode = combineExitCodes(interrupted() ? [...codes, ExitCode.interrupted] : codes);
  const reportsDir = path.resolve(io.cwd, options.reports);
  const batchDir = path.join(reportsDir, `${utcStamp(Date.now())}-${list.name}`);
  const problem = await writeCombined(batchDir, reportsDir, { startedAt, exitCode, runs: play.runs });
  if (problem) io.err(`chaos: combined reports not written: ${problem}`);
  const combined = path.relative(io.cwd, batchDir);
  if (options.output !== 'json') io.out(renderSummary(list, play, exitCode, combined));
  else io.out(JSON.stringify(combinedDocument(list, play, { exitCode, results, combined }), null, 2));
  return problem && exitCode === ExitCode.passed ? ExitCode.harnessError : exitCode;
}

/** Runs one entry of the list as a scenario of its own; a scenario that throws is a harness error, not the end. */
function scenarioPlayer(
  list: Playlist,
  options: RunOptions,
  io: CliIo,
  context: { settings: RunSettings; interruption: Interruption },
  sink: { say(text: string): void; results: RunResult[] },
): SuitePlayers['runOne'] {
  return async (entry, index) => {
    sink.say(`${index > 0 ? '\n' : ''}== ${entry.name} (${index + 1} of ${list.entries.length})`);
    let runDir: string | undefined;
    try {
      const hooks = await list.hooksFor(entry, index);
      const phase = list.kind === 'suite' ? undefined : options.phase;
      const run = await runScenario(
        entry.file,
        { ...options, phase, env: entry.environment, batch: true },
        io,
        context.settings,
        {
          ...hooks,
          interruption: context.interruption,
          onRunDir: (dir) => {
            runDir = dir;
          },
        },
      );
      if (run.reportProblem) io.err(`chaos: ${entry.name}: reports not written: ${run.reportProblem}`);
      sink.results.push(run.result);
      const exitCode = run.reportProblem && run.exitCode === ExitCode.passed ? ExitCode.harnessError : run.exitCode;
      return { scenario: entry.name, folder: path.basename(run.runDir), exitCode };
    } catch (error) {
      io.err(`chaos: ${entry.name}: ${formatError(error)}`);
      const folder = runDir ? path.basename(runDir) : null;
      return { scenario: entry.name, folder, exitCode: exitCodeOf(error), error: formatError(error) };
    }
  };
}

/** The combined folder's record, junit.xml and summary.md, then the reports index; a problem is returned. */
async function writeCombined(
  batchDir: string,
  reportsDir: string,
  played: { startedAt: number; exitCode: number; runs: SuiteRun[] },
): Promise<string | undefined> {
  mkdirSync(batchDir, { recursive: true });
  await writeBatchRecord(batchDir, {
    schemaVersion: batchSchemaVersion,
    startedAt: new Date(played.startedAt).toISOString(),
    endedAt: new Date().toISOString(),
    exitCode: played.exitCode,
    runs: played.runs,
  });
  return writeBatchReports(batchDir)
    .then(() => writeIndex(reportsDir))
    .then(
      () => undefined,
      (error: unknown) => formatError(error),
    );
}

/** `--output json`: one document for the whole batch or suite. */
function combinedDocument(
  list: Playlist,
  play: SuitePlay,
  end: { exitCode: number; results: RunResult[]; combined: string },
): Record<string, unknown> {
  const { exitCode, results, combined } = end;
  if (list.kind === 'batch')
    return { schemaVersion: outputSchemaVersion, kind: 'batch', exitCode, runs: play.runs, results };
  const { runs, notRun, settles } = play;
  return {
    schemaVersion: outputSchemaVersion,
    kind: 'suite',
    suite: list.name,
    exitCode,
    runs,
    notRun,
    settles,
    combined,
  };
}

function renderSummary(list: Playlist, play: SuitePlay, exitCode: number, combined: string): string {
  const total = list.entries.length;
  const passed = play.runs.filter((run) => run.exitCode === ExitCode.passed).length;
  const heading =
    list.kind === 'batch' ? `batch of ${total}: ${passed} passed` : `suite ${list.name}: ${passed} of ${total} passed`;
  const lines = play.runs.map((run) => {
    const where = run.folder ? `, ${run.folder}/` : '';
    const why = run.error ? `: ${run.error.split('\n')[0]}` : '';
    return `  ${run.exitCode === ExitCode.passed ? 'pass' : 'FAIL'}  ${run.scenario}  (exit ${run.exitCode}${where})${why}`;
  });
  const skipped = play.notRun.map((n) => `  skip  ${n.scenario}  (${n.reason})`);
  return `\n${heading}, ${play.notRun.length} not run, exit ${exitCode}\n${[...lines, ...skipped].join('\n')}\ncombined: ${combined}/`;
}
