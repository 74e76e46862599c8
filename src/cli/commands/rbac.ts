import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { printRbac } from '../../play/print-rbac.js';

export function registerRbac(program: Command, io: CliIo): void {
  program
    .command('rbac')
    .description(
      "print the least RBAC of the run's and the guard's accounts for an environment (writes only in its namespaces; Node patch only when a scenario drains whole clusters)",
    )
    .argument('[scenarios...]', 'scenarios the accounts must run (their namespaces and drains)')
    .requiredOption('--env <name>', 'the environment file')
    .option('--namespace <name...>', 'more namespaces to write in (e.g. where a gateway-bound VirtualService lives)')
    .action((scenarios: string[], options: { env: string; namespace?: string[] }) =>
      printRbac({ env: options.env, scenarios, namespaces: options.namespace ?? [] }, io),
    );
}
