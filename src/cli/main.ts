/**
 * The CLI: argv → command, and the ONE place that turns errors into exit codes
 * (table in exit-codes.ts and README.md).
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCompletion } from './commands/completion.js';
import { registerGameday } from './commands/gameday.js';
import { registerGuard } from './commands/guard.js';
import { registerInit } from './commands/init.js';
import { registerLab } from './commands/lab.js';
import { registerList } from './commands/list.js';
import { registerPlan } from './commands/plan.js';
import { registerRecover } from './commands/recover.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerRbac } from './commands/rbac.js';
import { registerSetup } from './commands/setup.js';
import { registerValidate } from './commands/validate.js';
import { ChaosError, exitCodeOf, formatError, InputError } from '../errors/errors.js';
import { outputSchemaVersion, type ErrorOutput } from '../report/output-schemas.js';
import { wantsJson } from './options.js';
import { withConnectionOptions } from './connection-options.js';
import { ExitCode } from '../errors/exit-codes.js';
import { processIo, type CliIo } from '../system/io.js';
import { jsonLogIo, logFormatOf } from '../system/json-log.js';
import { packageRoot } from '../input/files.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}

/** Commands that end with a verdict set `status.code`; errors are thrown and mapped below. */
export function buildProgram(io: CliIo, status: { code: number } = { code: ExitCode.passed }): Command {
  const program = new Command('chaos')
    .description('Chaos and resilience tests for multi-cluster Kubernetes + Istio services, judged under real k6 load')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run chaos <command> --help for usage)')
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .addOption(
      new Option(
        '--log-format <format>',
        "text, or json: one JSON object per line (run events with the journal's fields)",
      )
        .choices(['text', 'json'])
        .default('text'),
    )
    .exitOverride();
  for (const register of [
    registerList,
    registerValidate,
    registerInit,
    registerPlan,
    registerSchema,
    registerRbac,
    registerSetup,
    registerRun,
    registerGameday,
    registerLab,
    registerRecover,
    registerGuard,
    registerReport,
    registerCompletion,
  ])
    register(program, io, status);
  // --kubeconfig / --context on every command that connects to clusters.
  for (const command of program.commands)
    if (['run', 'plan', 'validate', 'recover', 'gameday', 'guard'].includes(command.name()))
      withConnectionOptions(command, io);
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: readonly string[], terminal: CliIo = processIo()): Promise<number> {
  const io = logFormatOf(argv) === 'json' ? jsonLogIo(terminal) : terminal;
  try {
    const status = { code: ExitCode.passed as number };
    await buildProgram(io, status).parseAsync([...argv], { from: 'user' });
    return status.code;
  } catch (error) {
    const code =
      error instanceof CommanderError
        ? error.exitCode === 0
          ? ExitCode.passed
          : ExitCode.invalidInput
        : exitCodeOf(error);
    if (code === ExitCode.passed) return code;
    if (!(error instanceof CommanderError)) io.err(`chaos: ${formatError(error)}`);
    if (wantsJson(argv)) io.out(JSON.stringify(errorDocument(error, code), null, 2));
    return code;
  }
}

/** `--output json`: the error as a document on stdout, with the same exit code (schema/output/error.schema.json). */
function errorDocument(error: unknown, exitCode: number): ErrorOutput {
  const kind =
    error instanceof CommanderError || error instanceof InputError
      ? 'input'
      : error instanceof ChaosError
        ? 'harness'
        : 'internal';
  const message =
    error instanceof CommanderError
      ? error.message.replace(/^error: /, '')
      : error instanceof Error
        ? error.message
        : String(error);
  const hint = error instanceof ChaosError ? error.hint : undefined;
  return {
    schemaVersion: outputSchemaVersion,
    error: { message, exitCode, kind, ...(hint ? { hint } : {}) },
    issues: error instanceof InputError ? error.issues.map((issue) => ({ ...issue })) : [],
  };
}

/** The process entry (bin/chaos.js): run, then exit with the code from the table. */
export async function runCli(): Promise<never> {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
