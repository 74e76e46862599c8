/**
 * `chaos plan`'s parity lines: read-only, and never starting anything — on the lab only when
 * one is running (`chaos lab up`), on real clusters through their kubeconfigs. A cluster that
 * cannot be read is said so; the plan itself does not fail for it.
 */
import { errorText } from '../errors/errors.js';
import { connectExisting } from '../environment/open-environment.js';
import { readParity, renderParity } from '../environment/parity.js';
import type { Environment } from '../environment/types.js';
import { targetedServices } from '../scenario/targeted-services.js';
import type { Scenario } from '../scenario/types.js';

export async function planParity(scenario: Scenario, environment: Environment, cwd: string): Promise<string[]> {
  const services = targetedServices(scenario);
  if (services.length === 0) return ['parity: no targeted service to compare'];
  try {
    const opened = await connectExisting(environment, cwd);
    if (!opened) return [`parity of ${services.join(', ')}: checked at run start (no lab is running)`];
    const report = await readParity(environment, opened.apis, services);
    return [
      ...renderParity(report),
      ...(scenario.requireParity && report.differences.length > 0
        ? ['requireParity: true — a run would refuse to start on these differences']
        : []),
    ];
  } catch (error) {
    return [`parity of ${services.join(', ')}: not checked (${errorText(error).split('\n')[0]})`];
  }
}
