import { Option, type Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import type { CliIo } from '../../system/io.js';
import { findSuiteFile } from '../../play/suite/read-suite.js';
import { runSuiteFile } from '../../play/suite/run-suite-file.js';
import { runGameday } from '../../play/gameday/run-gameday.js';
import { runBatch } from '../../play/suite/run-batch.js';
import { readRunSettings } from '../../play/scenario-run/run-settings.js';
import { runScenario, type RunOptions } from '../../play/run-scenario.js';
import { openOutputs } from '../../play/outputs/open-outputs.js';
import { grafanaOptions, outputOption, phaseOption } from '../options.js';

export function registerRun(program: Command, io: CliIo, status: { code: number }): void {
  const command = program
    .command('run')
    .description(
      'run a scenario: k6 load through every ingress, faults applied and always reverted, verdicts per phase and ingress',
    )
    .argument(
      '<scenarios...>',
      'scenario name (in scenarios/) or file; several run one after another, each in its own folder, plus a combined junit.xml and summary.md',
    )
    .option('--env <name>', "environment: lab (default: the scenario's) or a file in environments/")
    .addOption(phaseOption('override a phase duration, e.g. --phase fault=20s'))
    .option('--yes', "allow changes to contexts that are not on the environment's allow-list")
    .option('--quiet', 'print only the verdict')
    .addOption(outputOption('text, or json (the result document on stdout; errors too)'))
    .option('--reports <dir>', 'where run folders go', 'reports')
    .option('--fail-fast', 'suites: stop at the first scenario that fails')
    .option(
      '--continue-on-failure',
      'suites: run every scenario whatever happens (the default unless the suite says onFailure: stop)',
    )
    .option('--interactive', 'game day: full-screen live view, steps advanced by key (same as chaos gameday)')
    .option('--notify <url>', 'post a Slack-compatible message when the run or suite ends (docs/notifications.md)')
    .addOption(
      new Option('--notify-on <when>', 'failure (default: only when it did not pass) or always').choices([
        'failure',
        'always',
      ]),
    )
    .option(
      '--prometheus-rw <url>',
      "push the run's series by Prometheus remote write while it runs, e.g. http://127.0.0.1:9090/api/v1/write (docs/metrics.md)",
    )
    .option(
      '--raw-samples',
      "also keep k6's own per-request output (k6-samples.json, ≈ 5 KB a request, and slower k6), for audits: docs/measurement.md",
    );
  for (const option of grafanaOptions()) command.addOption(option);
  command.action(async (refs: string[], options: RunOptions & { rawSamples?: boolean }) => {
    const suiteFile = refs.length === 1 ? findSuiteFile(refs[0]!, io.cwd) : undefined;
    const settings = readRunSettings(io.env);
    if (options.rawSamples) settings.rawSamples = true;
    settings.outputs.push(...openOutputs(options, io, settings.chaosVersion));
    if (options.interactive) status.code = await runGameday(refs, options, io, settings);
    else if (suiteFile) status.code = await runSuiteFile(suiteFile, options, io, settings);
    else if (refs.length === 1) {
      const run = await runScenario(refs[0]!, options, io, settings);
      if (run.reportProblem) io.err(`chaos: reports not written: ${run.reportProblem}`);
      status.code = run.reportProblem && run.exitCode === ExitCode.passed ? ExitCode.harnessError : run.exitCode;
    } else status.code = await runBatch(refs, options, io, settings);
  });
}
