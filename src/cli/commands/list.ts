import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { listInputs } from '../../play/list-inputs.js';
import { outputOption } from '../options.js';

export function registerList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description("list the scenarios and suites (the current folder's scenarios/ and suites/, then the shipped ones)")
    .addOption(outputOption())
    .action((options: { output: string }) => listInputs(options.output === 'json', io));
}
