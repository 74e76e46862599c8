/**
 * A suite as a list of plans (pure apart from reading the files): every entry's scenario
 * checked against its environment, with the entry's phase durations and then the command
 * line's. `chaos plan nightly` prints them; `chaos run nightly` runs them.
 */
import { InputError } from '../../errors/errors.js';
import { parsePhaseOverrides } from '../../input/phase-overrides.js';
import { buildPlan, type RunPlan } from '../../run/plan/build-plan.js';
import { loadScenario, type LoadedScenario } from '../load-inputs.js';
import { readSuite, type Suite, type SuiteEntry } from './read-suite.js';

/** CLI --phase applies to every scenario that has that phase; a name no scenario has is a mistake. */
function cliPhaseOverrides(
  values: readonly string[],
): (entry: SuiteEntry, phases: readonly string[]) => Record<string, number> {
  const overrides = parsePhaseOverrides(values);
  return (entry, phases) => ({
    ...entry.phaseOverrides,
    ...Object.fromEntries(Object.entries(overrides).filter(([name]) => phases.includes(name))),
  });
}

export interface LoadedSuite {
  suite: Suite;
  loaded: LoadedScenario[];
  phaseFor(index: number): Record<string, number>;
}

export function loadSuite(file: string, options: { cwd: string; env?: string; phase?: string[] }): LoadedSuite {
  const suite = readSuite(file, { cwd: options.cwd, envOverride: options.env });
  const loaded = suite.entries.map((entry) => loadScenario(entry.file, entry.environment, options.cwd));
  const phasesOf = (index: number) => loaded[index]!.scenario.phases.map((phase) => phase.name);
  const unknown = Object.keys(parsePhaseOverrides(options.phase ?? [])).filter(
    (name) => !loaded.some((l) => l.scenario.phases.some((p) => p.name === name)),
  );
  if (unknown.length > 0)
    throw new InputError(`--phase names no phase of any scenario of suite ${suite.name}: ${unknown.join(', ')}`);
  const overridesFor = cliPhaseOverrides(options.phase ?? []);
  return { suite, loaded, phaseFor: (index) => overridesFor(suite.entries[index]!, phasesOf(index)) };
}

export function planSuite(
  file: string,
  options: { cwd: string; env?: string; phase?: string[] },
): { suite: Suite; plans: RunPlan[] } {
  const { suite, loaded, phaseFor } = loadSuite(file, options);
  const plans = loaded.map(({ scenario, environment }, index) =>
    buildPlan(scenario, environment, 'plan', phaseFor(index)),
  );
  return { suite, plans };
}
