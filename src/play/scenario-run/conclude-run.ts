/**
 * The last step: verdicts from what the timeline recorded, the result document, the reports and the
 * reports index, and the verdict on the console (or the result as JSON).
 */
import path from 'node:path';
import { formatError } from '../../errors/errors.js';
import { buildResult } from '../../report/build-result.js';
import { renderVerdicts } from '../../report/render-console.js';
import { writeIndex, writeResult, writeRunReports } from '../../report/write-reports.js';
import { judgeRun } from '../../run/judge/judge-run.js';
import type { RunRecord } from '../../run/timeline/run-record.js';
import type { CliIo } from '../../system/io.js';
import type { PreparedRun } from './prepare-run.js';
import type { RunSettings } from './run-settings.js';
import type { RunOptions, ScenarioRun } from './run-types.js';

export async function concludeRun(
  prepared: PreparedRun,
  record: RunRecord,
  context: { options: RunOptions; io: CliIo; settings: RunSettings },
): Promise<ScenarioRun> {
  const { plan, runDir, k6 } = prepared;
  const { options, io, settings } = context;
  const outcome = judgeRun(plan, record);
  const versions = { chaos: settings.chaosVersion, k6: k6.version, node: process.version };
  const result = buildResult(plan, record, outcome, versions, runDir);
  await writeResult(runDir, result);
  const reportProblem = await writeReports(runDir, path.resolve(io.cwd, options.reports));
  if (options.output === 'json') {
    if (!options.batch) io.out(JSON.stringify(result, null, 2));
  } else {
    const human = !options.quiet;
    io.out(
      `${human ? '\n' : ''}${renderVerdicts(outcome, result.comparisons)}\nresults: ${path.relative(io.cwd, runDir)}/`,
    );
  }
  return { exitCode: outcome.exitCode, runDir, result, reportProblem };
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
