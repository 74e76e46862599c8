/**
 * The first step of a run: the inputs read and checked, the plan made, the run folder created, and
 * a dead run's k6 stopped. Nothing in any cluster has been touched yet.
 */
import path from 'node:path';
import { assertMayMutate } from '../../environment/context-allow-list.js';
import type { Environment } from '../../environment/types.js';
import { parsePhaseOverrides } from '../../input/phase-overrides.js';
import { requireK6, type K6Binary } from '../../load/k6-binary.js';
import { buildPlan, type RunPlan } from '../../run/plan/build-plan.js';
import { findJournals } from '../../run/record/journal.js';
import { findOrphanedLoad, stopOrphanedLoad } from '../../run/recover/orphaned-load.js';
import { operatorLoadFor } from '../../run/timeline/operator-load.js';
import type { Scenario } from '../../scenario/types.js';
import type { CliIo } from '../../system/io.js';
import { loadScenario } from '../load-inputs.js';
import type { RunOptions, ScenarioHooks } from './run-types.js';
import type { RunSettings } from './run-settings.js';

export interface PreparedRun {
  scenario: Scenario;
  environment: Environment;
  plan: RunPlan;
  k6: K6Binary;
  startedAt: number;
  runDir: string;
  startLoad: ReturnType<typeof operatorLoadFor>;
  /** Prints a line for people (not with --quiet or --output json). */
  say(text: string): void;
}

export async function prepareRun(
  ref: string,
  options: RunOptions,
  io: CliIo,
  settings: RunSettings,
  hooks: ScenarioHooks,
): Promise<PreparedRun> {
  const { scenario, environment } = loadScenario(ref, options.env, io.cwd);
  assertMayMutate(environment, options.yes === true);
  const k6 = await requireK6(io.env);
  const startedAt = settings.now();
  const overrides = { ...hooks.phaseOverrides, ...parsePhaseOverrides(options.phase ?? []) };
  const plan = buildPlan(scenario, environment, `r${startedAt.toString(36)}`, overrides);
  const startLoad = operatorLoadFor(plan, io.cwd);
  const reportsDir = path.resolve(io.cwd, options.reports);
  const runDir = settings.makeRunDir(reportsDir, scenario.name, startedAt);
  hooks.onRunDir?.(runDir);
  await stopOrphans(reportsDir, io);
  const human = options.output !== 'json' && !options.quiet;
  const say = (text: string) => {
    if (human) io.out(text);
  };
  return { scenario, environment, plan, k6, startedAt, runDir, startLoad, say };
}

/** A dead run's k6 may still be sending load: stop it before adding ours. */
async function stopOrphans(reportsDir: string, io: CliIo): Promise<void> {
  for (const orphan of await findOrphanedLoad(await findJournals(reportsDir))) {
    const stopped = stopOrphanedLoad(orphan);
    io.err(`${stopped ? 'stopped' : 'could not stop'} k6 (pid ${orphan.pid}) left running by dead run ${orphan.runId}`);
  }
}
