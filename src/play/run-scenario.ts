/**
 * Run one scenario, in four named steps: prepare (inputs, plan, run folder; nothing touched) →
 * preflight (the environment open, still nothing changed) → conduct (lock, journal, the timeline
 * with its faults, always reverted) → conclude (verdicts, result, reports). The CLI, suites, batches
 * and game days all come through here; `settings` is what the process read once (run-settings.ts).
 */
import { openEnvironment } from '../environment/open-environment.js';
import type { CliIo } from '../system/io.js';
import { watchInterrupts } from '../system/signals.js';
import { concludeRun } from './scenario-run/conclude-run.js';
import { conductRun } from './scenario-run/conduct-run.js';
import { preflightRun } from './scenario-run/preflight-run.js';
import { prepareRun } from './scenario-run/prepare-run.js';
import type { RunSettings } from './scenario-run/run-settings.js';
import type { RunOptions, ScenarioHooks, ScenarioRun } from './scenario-run/run-types.js';

export type { RunOptions, ScenarioHooks, ScenarioRun } from './scenario-run/run-types.js';

export async function runScenario(
  ref: string,
  options: RunOptions,
  io: CliIo,
  settings: RunSettings,
  hooks: ScenarioHooks = {},
): Promise<ScenarioRun> {
  const prepared = await prepareRun(ref, options, io, settings, hooks);
  const interruption = hooks.interruption ?? watchInterrupts({ notify: (message) => io.err(message) });
  const opened = hooks.opened ?? (await openEnvironment(prepared.environment, io.cwd, io.env));
  try {
    await preflightRun(prepared, opened, io);
    const record = await conductRun(prepared, opened, interruption, { io, settings, hooks });
    return await concludeRun(prepared, record, { options, io, settings });
  } finally {
    if (!hooks.opened) await opened.close();
    if (!hooks.interruption) interruption.dispose();
  }
}
