import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { planRuns } from '../../play/plan-runs.js';
import { outputOption, phaseOption } from '../options.js';

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description(
      'print every mutation a run would make, cluster by cluster, and the load per ingress (each scenario of a suite); reads the clusters (when it can) to refuse what the run would refuse; changes nothing',
    )
    .argument('<scenario>', 'scenario or suite name (in scenarios/, suites/) or file')
    .option('--env <name>', 'environment: lab (default) or a file in environments/')
    .addOption(phaseOption('override a phase duration, e.g. --phase fault=20s'))
    .addOption(outputOption())
    .action((ref: string, options: { env?: string; phase?: string[]; output: string }) =>
      planRuns(ref, { env: options.env, phase: options.phase, json: options.output === 'json' }, io),
    );
}
