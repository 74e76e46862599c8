/** `chaos run a b c`: every scenario checked first, then run in order, then the combined reports. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { exitCodeOf, formatError } from '../errors/errors.js';
import { combineExitCodes, ExitCode } from '../errors/exit-codes.js';
import type { CliIo } from '../system/io.js';
import { loadScenario } from './load-inputs.js';
import type { RunResult } from '../report/build-result.js';
import { batchSchemaVersion, type BatchRecord } from '../report/report-input.js';
import { outputSchemaVersion } from '../report/output-schemas.js';
import { writeBatchRecord, writeBatchReports, writeIndex } from '../report/write-reports.js';
import { runScenario, type RunOptions } from './run-scenario.js';
import { utcStamp } from './run-folder.js';

/** `chaos run a b c`: every scenario checked first, then run in order, then the combined reports. */
export async function runBatch(refs: readonly string[], options: RunOptions, io: CliIo): Promise<number> {
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
  if (options.output === 'json')
    io.out(JSON.stringify({ schemaVersion: outputSchemaVersion, kind: 'batch', exitCode, runs, results }, null, 2));
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
