/** `chaos run a b c`: every scenario checked first, then run in order — a suite without settle checks. */
import type { CliIo } from '../../system/io.js';
import { watchInterrupts } from '../../system/signals.js';
import { loadScenario } from '../load-inputs.js';
import { playScenarios } from './play-scenarios.js';
import type { RunOptions } from '../run-scenario.js';
import type { RunSettings } from '../scenario-run/run-settings.js';
import type { SuiteEntry } from './read-suite.js';

export async function runBatch(
  refs: readonly string[],
  options: RunOptions,
  io: CliIo,
  settings: RunSettings,
): Promise<number> {
  const entries: SuiteEntry[] = refs.map((ref) => ({
    file: ref,
    name: loadScenario(ref, options.env, io.cwd).scenario.name,
    environment: options.env,
    phaseOverrides: {},
  }));
  const interruption = watchInterrupts({ notify: (message) => io.err(message) });
  try {
    const list = { kind: 'batch' as const, name: 'batch', entries, failFast: options.failFast === true };
    return await playScenarios({ ...list, hooksFor: async () => ({}) }, options, io, { settings, interruption });
  } finally {
    interruption.dispose();
  }
}
