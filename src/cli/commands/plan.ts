import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { checkScenario } from '../../play/load-inputs.js';
import { checkClusters, throwIfRefused } from '../../play/check-clusters.js';
import { parsePhaseOverrides } from '../../input/phase-overrides.js';
import { readYamlFile, resolveFileRef } from '../../input/files.js';
import { renderPlan } from '../../report/render-plan.js';
import { buildPlan } from '../../run/build-plan.js';

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description(
      'print every mutation a run would make, cluster by cluster, and the load per ingress; reads the clusters (when it can) to refuse what the run would refuse; changes nothing',
    )
    .argument('<scenario>', 'scenario name (in scenarios/) or file')
    .option('--env <name>', 'environment: lab (default) or a file in environments/')
    .option('--phase <name=duration...>', 'override a phase duration, e.g. --phase fault=20s (repeatable)')
    .option('--output <format>', 'text or json', 'text')
    .action(async (ref: string, options: { env?: string; phase?: string[]; output: string }) => {
      const source = readYamlFile(resolveFileRef(ref, 'scenarios', 'scenario', io.cwd), io.cwd);
      const { scenario, environment } = checkScenario(source, options.env, io.cwd);
      const plan = buildPlan(scenario, environment, 'plan', parsePhaseOverrides(options.phase ?? []));
      const clusters = await checkClusters(plan, io.cwd);
      io.out(
        options.output === 'json'
          ? JSON.stringify({ ...plan, environment: { ...plan.environment }, clusterChecks: clusters }, null, 2)
          : renderPlan(plan, clusters),
      );
      throwIfRefused(source, source.file, clusters.checks);
    });
}
