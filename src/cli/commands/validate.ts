import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { validateFiles } from '../../play/validate-files.js';
import { outputOption } from '../options.js';

export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check scenario, suite and environment files; reports every problem at once, changes nothing')
    .argument('[paths...]', 'scenario or suite names, or files (default: every scenario and suite)')
    .option(
      '--env <name>',
      "check cluster names against this environment instead of each scenario's own, and read its clusters (when it can) for what a run would refuse",
    )
    .addOption(outputOption())
    .action((paths: string[], options: { env?: string; output: string }) =>
      validateFiles(paths, { env: options.env, json: options.output === 'json' }, io),
    );
}
