import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { loadScenario } from '../../play/load-inputs.js';
import { parsePhaseOverrides } from '../../input/phase-overrides.js';
import { renderPlan } from '../../report/render-plan.js';
import { buildPlan } from '../../run/build-plan.js';
import { planParity } from '../../play/plan-parity.js';

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description('print every mutation a run would make, cluster by cluster, and the load per ingress; touches nothing')
    .argument('<scenario>', 'scenario name (in scenarios/) or file')
    .option('--env <name>', 'environment: lab (default) or a file in environments/')
    .option('--phase <name=duration...>', 'override a phase duration, e.g. --phase fault=20s (repeatable)')
    .option('--output <format>', 'text or json', 'text')
    .action(async (ref: string, options: { env?: string; phase?: string[]; output: string }) => {
      const { scenario, environment } = loadScenario(ref, options.env, io.cwd);
      const plan = buildPlan(scenario, environment, 'plan', parsePhaseOverrides(options.phase ?? []));
      io.out(
        options.output === 'json'
          ? JSON.stringify({ ...plan, environment: { ...plan.environment } }, null, 2)
          : renderPlan(plan),
      );
      // Parity of the targeted services across clusters (read-only; never starts a lab).
      if (options.output !== 'json') io.out(`\n${(await planParity(scenario, environment, io.cwd)).join('\n')}`);
    });
}
