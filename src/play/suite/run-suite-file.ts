/**
 * `chaos run <suite>` (e.g. `chaos run nightly` → suites/nightly.yaml): validate the suite and
 * every scenario in it first, keep each environment open for the whole suite (one embedded lab,
 * so a scenario's aftermath is really there for the next), measure each ingress's error rate
 * before the first scenario, run the scenarios in order with a settle check between them, then
 * write one combined junit.xml and summary.md (the batch writers of src/report). The exit code
 * combines every scenario's.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { exitCodeOf, formatError, InputError } from '../../errors/errors.js';
import { combineExitCodes, ExitCode } from '../../errors/exit-codes.js';
import type { CliIo } from '../../system/io.js';
import { runScenario, type RunOptions, type ScenarioHooks } from '../run-scenario.js';
import { utcStamp } from '../run-folder.js';
import { batchSchemaVersion } from '../../report/report-input.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';
import { writeBatchRecord, writeBatchReports, writeIndex } from '../../report/write-reports.js';
import { checkIngresses, openEnvironment, type OpenEnvironment } from '../../environment/open-environment.js';
import { loadSuite } from './plan-suite.js';
import { playSuite } from './play-suite.js';
import { probeIngresses, settleEnvironment, type ProbeResult, type SettleTarget } from './settle.js';

interface OpenedEnvironment {
  opened: OpenEnvironment;
  target: SettleTarget;
  baseline: ProbeResult[];
}

export async function runSuiteFile(file: string, options: RunOptions, io: CliIo): Promise<number> {
  if (options.failFast && options.continueOnFailure)
    throw new InputError(
      '--fail-fast and --continue-on-failure contradict each other',
      [],
      "give one of them, or neither to follow the suite file's onFailure",
    );
  const { suite, loaded, phaseFor } = loadSuite(file, { cwd: io.cwd, env: options.env, phase: options.phase });
  const failFast = options.failFast === true || (options.continueOnFailure !== true && suite.onFailure === 'stop');
  const human = options.output !== 'json' && !options.quiet;
  const say = (text: string) => {
    if (human) io.out(text);
  };
  say(
    `suite ${suite.name}: ${suite.entries.length} scenarios (${suite.entries.map((e) => e.name).join(', ')})${failFast ? ', stopping at the first failure' : ''}`,
  );

  let interrupted = false;
  const stopSettling = new AbortController();
  const onSignal = () => {
    interrupted = true;
    stopSettling.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const environments = new Map<string, OpenedEnvironment>();
  const environmentOf = async (index: number): Promise<OpenedEnvironment> => {
    const { environment, scenario } = loaded[index]!;
    const known = environments.get(environment.name);
    if (known) return known;
    const opened = await openEnvironment(environment, io.cwd);
    const target: SettleTarget = {
      apis: opened.apis,
      namespace: environment.namespace,
      ingressUrls: opened.ingressUrls,
      host: scenario.load.host ?? environment.host,
      path: scenario.load.paths[0] ?? '/',
    };
    await checkIngresses(opened.ingressUrls, target.host, target.path);
    const baseline = await probeIngresses(target, suite.settle.probeRequests);
    say(
      `environment ${environment.name}: ${opened.description}; baseline probe ${baseline.map((b) => `${b.ingress} ${b.failures}/${b.requests} failed`).join(', ')}`,
    );
    const entry = { opened, target, baseline };
    environments.set(environment.name, entry);
    return entry;
  };

  const startedAt = Date.now();
  try {
    const play = await playSuite(
      suite.entries,
      { failFast },
      {
        say,
        interrupted: () => interrupted,
        settle: async (_previous, next) => {
          try {
            const { target, baseline } = await environmentOf(suite.entries.indexOf(next));
            return await settleEnvironment(target, {
              timeoutMs: suite.settle.timeoutMs,
              probeRequests: suite.settle.probeRequests,
              tolerance: suite.settle.tolerance,
              baseline,
              signal: stopSettling.signal,
            });
          } catch (error) {
            return { settled: false, message: `cannot check the environment: ${formatError(error)}` };
          }
        },
        runOne: async (entry, index) => {
          say(`${index > 0 ? '\n' : ''}== ${entry.name} (${index + 1} of ${suite.entries.length})`);
          let runDir: string | undefined;
          try {
            const { opened } = await environmentOf(index);
            const run = await runScenario(
              entry.file,
              { ...options, phase: undefined, env: entry.environment, batch: true },
              io,
              (dir) => {
                runDir = dir;
              },
              { opened, phaseOverrides: phaseFor(index) } satisfies ScenarioHooks,
            );
            if (run.reportProblem) io.err(`chaos: ${entry.name}: reports not written: ${run.reportProblem}`);
            return {
              scenario: entry.name,
              folder: path.basename(run.runDir),
              exitCode: run.reportProblem && run.exitCode === ExitCode.passed ? ExitCode.harnessError : run.exitCode,
            };
          } catch (error) {
            io.err(`chaos: ${entry.name}: ${formatError(error)}`);
            return {
              scenario: entry.name,
              folder: runDir ? path.basename(runDir) : null,
              exitCode: exitCodeOf(error),
              error: formatError(error),
            };
          }
        },
      },
    );
    const codes = play.runs.map((run) => run.exitCode);
    const exitCode = combineExitCodes(interrupted ? [...codes, ExitCode.interrupted] : codes);
    const reportsDir = path.resolve(io.cwd, options.reports);
    const batchDir = path.join(reportsDir, `${utcStamp(Date.now())}-${suite.name}`);
    mkdirSync(batchDir, { recursive: true });
    await writeBatchRecord(batchDir, {
      schemaVersion: batchSchemaVersion,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date().toISOString(),
      exitCode,
      runs: play.runs,
    });
    const problem = await writeBatchReports(batchDir)
      .then(() => writeIndex(reportsDir))
      .then(
        () => undefined,
        (error: unknown) => formatError(error),
      );
    if (problem) io.err(`chaos: combined reports not written: ${problem}`);
    if (options.output === 'json')
      io.out(
        JSON.stringify(
          {
            schemaVersion: outputSchemaVersion,
            kind: 'suite',
            suite: suite.name,
            exitCode,
            runs: play.runs,
            notRun: play.notRun,
            settles: play.settles,
            combined: path.relative(io.cwd, batchDir),
          },
          null,
          2,
        ),
      );
    else {
      const lines = play.runs.map(
        (run) =>
          `  ${run.exitCode === ExitCode.passed ? 'pass' : 'FAIL'}  ${run.scenario}  (exit ${run.exitCode}${run.folder ? `, ${run.folder}/` : ''})${run.error ? `: ${run.error.split('\n')[0]}` : ''}`,
      );
      const skipped = play.notRun.map((n) => `  skip  ${n.scenario}  (${n.reason})`);
      io.out(
        `\nsuite ${suite.name}: ${play.runs.filter((run) => run.exitCode === ExitCode.passed).length} of ${suite.entries.length} passed, ${play.notRun.length} not run, exit ${exitCode}\n${[...lines, ...skipped].join('\n')}\ncombined: ${path.relative(io.cwd, batchDir)}/`,
      );
    }
    return problem && exitCode === ExitCode.passed ? ExitCode.harnessError : exitCode;
  } finally {
    for (const { opened } of environments.values()) await opened.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
