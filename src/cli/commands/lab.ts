import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { ingressAddressEnv, ingressPortEnv, labStateDirEnv } from '../../lab/index.js';
import { labDown, labStatus, labUp, type LabUpOptions } from '../../play/lab.js';
import { outputOption } from '../options.js';

const stateDirHelp = `the lab's state folder (state.json, kubeconfig); default $${labStateDirEnv}, else .chaos/lab`;

export function registerLab(program: Command, io: CliIo): void {
  const lab = program.command('lab').description('the embedded two-cluster lab (central, west) on loopback');

  lab
    .command('up')
    .description('start the lab in the foreground for a game day; Ctrl-C stops it cleanly')
    .option('--state-dir <dir>', stateDirHelp)
    .option('--kubeconfig <path>', 'where to write the kubeconfig (default <state-dir>/kubeconfig)')
    .option(
      '--ingress-address <address...>',
      `loopback address of each ingress, central then west (one serves both); default $${ingressAddressEnv}, else 127.0.0.11 127.0.0.12`,
    )
    .option('--ingress-port <port>', `ingress port; 0 picks free ones; default $${ingressPortEnv}, else 8080`)
    .option('--seed <n>', "seed of the lab's random draws", '1')
    .option('--no-guard', 'do not run a guard in this process (a killed run then waits for `chaos recover`)')
    .option('--guard-grace <duration>', "the guard's grace past a run's Lease duration", '10s')
    .action((options: LabUpOptions) => labUp(options, io));

  lab
    .command('status')
    .description('show the running lab: clusters, contexts, API and ingress URLs')
    .option('--state-dir <dir>', stateDirHelp)
    .addOption(outputOption())
    .action((options: { output: string; stateDir?: string }) =>
      labStatus({ stateDir: options.stateDir, json: options.output === 'json' }, io),
    );

  lab
    .command('down')
    .description('stop a lab started by `chaos lab up`')
    .option('--state-dir <dir>', stateDirHelp)
    .action((options: { stateDir?: string }) => labDown(options, io));
}
