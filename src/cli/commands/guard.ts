/**
 * `chaos guard [--env ENV] [--cluster NAME...]`: the options; the work is play/run-guard.ts.
 */
import type { Command } from 'commander';
import { labStateDirEnv } from '../../lab/index.js';
import { runGuard, type GuardOptions } from '../../play/run-guard.js';
import type { CliIo } from '../../system/io.js';

export function registerGuard(program: Command, io: CliIo): void {
  program
    .command('guard')
    .description(
      "watch the clusters and revert the faults of any run whose lock Lease went quiet or whose faults' chaos.dev/expires passed; leaves live runs alone",
    )
    .option('--env <name>', 'environment: lab (default) or a file in environments/', 'lab')
    .option(
      '--cluster <name>',
      'guard only this cluster of the environment (repeatable; default every cluster)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--grace <duration>', "how long past a run's Lease duration before its faults are reverted", '10s')
    .option('--lease <duration>', "the guard's own Lease duration (leader election and heartbeat)", '15s')
    .option('--resync <duration>', 'full re-scan interval, a backstop for missed watch events', '60s')
    .option('--address <host:port>', '/healthz and /metrics', '127.0.0.1:0')
    .option('--state-dir <dir>', `with --env lab: the lab's state folder; default $${labStateDirEnv}, else .chaos/lab`)
    .action(async (options: GuardOptions) => {
      await runGuard(options, io);
    });
}
