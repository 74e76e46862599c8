/**
 * `chaos run <suite>` (e.g. `chaos run nightly` → suites/nightly.yaml): validate the suite and
 * every scenario in it first, keep each environment open for the whole suite (one embedded lab,
 * so a scenario's aftermath is really there for the next), measure each ingress's error rate
 * before the first scenario, run the scenarios in order with a settle check between them, then
 * write one combined junit.xml and summary.md (the batch writers of src/report). The exit code
 * combines every scenario's.
 */
import { formatError, InputError } from '../../errors/errors.js';
import { watchInterrupts } from '../../system/signals.js';
import { playScenarios } from './play-scenarios.js';
import type { RunSettings } from '../scenario-run/run-settings.js';
import type { RunOptions } from '../run-scenario.js';
import type { CliIo } from '../../system/io.js';
import { checkIngresses, openEnvironment, type OpenEnvironment } from '../../environment/open-environment.js';
import { loadSuite } from './plan-suite.js';
import { probeIngresses, settleEnvironment, type ProbeResult, type SettleTarget } from './settle.js';

interface OpenedEnvironment {
  opened: OpenEnvironment;
  target: SettleTarget;
  baseline: ProbeResult[];
}

export async function runSuiteFile(
  file: string,
  options: RunOptions,
  io: CliIo,
  settings: RunSettings,
): Promise<number> {
  if (options.failFast && options.continueOnFailure)
    throw new InputError(
      '--fail-fast and --continue-on-failure contradict each other',
      [],
      "give one of them, or neither to follow the suite file's onFailure",
    );
  const { suite, loaded, phaseFor } = loadSuite(file, { cwd: io.cwd, env: options.env, phase: options.phase });
  const failFast = options.failFast === true || (options.continueOnFailure !== true && suite.onFailure === 'stop');
  const human = options.output !== 'json' && !options.quiet;
  const say = (text: string) => {
    if (human) io.out(text);
  };
  say(
    `suite ${suite.name}: ${suite.entries.length} scenarios (${suite.entries.map((e) => e.name).join(', ')})${failFast ? ', stopping at the first failure' : ''}`,
  );

  const interruption = watchInterrupts({ notify: (message) => io.err(message) });
  const environments = new Map<string, OpenedEnvironment>();
  const environmentOf = async (index: number): Promise<OpenedEnvironment> => {
    const { environment, scenario } = loaded[index]!;
    const known = environments.get(environment.name);
    if (known) return known;
    const opened = await openEnvironment(environment, io.cwd, io.env);
    const target: SettleTarget = {
      apis: opened.apis,
      namespace: environment.namespace,
      ingressUrls: opened.ingressUrls,
      host: scenario.load.host ?? environment.host,
      path: scenario.load.paths[0] ?? '/',
    };
    await checkIngresses(opened.ingressUrls, target.host, target.path);
    const baseline = await probeIngresses(target, suite.settle.probeRequests);
    say(
      `environment ${environment.name}: ${opened.description}; baseline probe ${baseline.map((b) => `${b.ingress} ${b.failures}/${b.requests} failed`).join(', ')}`,
    );
    const entry = { opened, target, baseline };
    environments.set(environment.name, entry);
    return entry;
  };

  try {
    return await playScenarios(
      {
        kind: 'suite',
        name: suite.name,
        entries: suite.entries,
        failFast,
        settle: async (_previous, next) => {
          try {
            const { target, baseline } = await environmentOf(suite.entries.indexOf(next));
            return await settleEnvironment(target, {
              timeoutMs: suite.settle.timeoutMs,
              probeRequests: suite.settle.probeRequests,
              tolerance: suite.settle.tolerance,
              baseline,
              signal: interruption.interrupt,
            });
          } catch (error) {
            return { settled: false, message: `cannot check the environment: ${formatError(error)}` };
          }
        },
        hooksFor: async (_entry, index) => ({
          opened: (await environmentOf(index)).opened,
          phaseOverrides: phaseFor(index),
        }),
      },
      options,
      io,
      { settings, interruption },
    );
  } finally {
    for (const { opened } of environments.values()) await opened.close();
    interruption.dispose();
  }
}
