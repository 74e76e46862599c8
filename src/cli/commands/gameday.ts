import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { runGameday } from '../../play/gameday/run-gameday.js';
import type { RunOptions } from '../../play/run-scenario.js';
import { readRunSettings } from '../../play/scenario-run/run-settings.js';
import { grafanaOptions, phaseOption } from '../options.js';
import { openOutputs } from '../../play/outputs/open-outputs.js';

/** `chaos gameday <scenario>`: `chaos run --interactive` under the name a facilitator looks for. */
export function registerGameday(program: Command, io: CliIo, status: { code: number }): void {
  const command = program
    .command('gameday')
    .description(
      'game day: run a scenario with a full-screen live view; the facilitator advances steps by key, holds, reverts, aborts and writes notes onto the timeline',
    )
    .argument('<scenario>', "scenario name (in scenarios/) or file; steps are the scenario's phases")
    .option(
      '--env <name>',
      "environment: lab (default: the scenario's, e.g. the lab kept by chaos lab up) or a file in environments/",
    )
    .addOption(phaseOption('planned phase durations (n ends a phase early, h holds it longer)'))
    .option('--yes', "allow changes to contexts that are not on the environment's allow-list")
    .option('--reports <dir>', 'where run folders go', 'reports');
  for (const option of grafanaOptions()) command.addOption(option);
  command.action(async (ref: string, options: RunOptions) => {
    const settings = readRunSettings(io.env);
    settings.outputs.push(...openOutputs({ ...options, output: 'text' }, io, settings.chaosVersion));
    status.code = await runGameday([ref], { ...options, output: 'text' }, io, settings);
  });
}
