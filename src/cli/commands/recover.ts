/**
 * `chaos recover [--env ENV] [--dry-run]`: the options; the work is play/recover.ts.
 */
import type { Command } from 'commander';
import { labStateDirEnv } from '../../lab/index.js';
import { recoverEnvironment, type RecoverOptions } from '../../play/recover.js';
import type { CliIo } from '../../system/io.js';
import { outputOption } from '../options.js';

export function registerRecover(program: Command, io: CliIo): void {
  program
    .command('recover')
    .description(
      'find and undo what any run left behind (journals under reports/, annotations and chaos routes in every cluster); idempotent',
    )
    .option('--env <name>', 'environment: lab (default) or a file in environments/', 'lab')
    .option('--dry-run', 'list the leftovers and how they would be undone; change nothing')
    .option('--yes', "allow changes to contexts that are not on the environment's allow-list")
    .option('--reports <dir>', 'where run folders (and their journals) are', 'reports')
    .option('--run <id...>', 'treat these runs as dead and ours even where only their route names are left')
    .option('--lock-wait <seconds>', 'how long to watch a lock held by a run that may be dead', '45')
    .option('--no-verify', 'do not wait until what was undone is healthy again')
    .option('--state-dir <dir>', `with --env lab: the lab's state folder; default $${labStateDirEnv}, else .chaos/lab`)
    .addOption(outputOption())
    .action(async (options: RecoverOptions) => {
      await recoverEnvironment(options, io);
    });
}
