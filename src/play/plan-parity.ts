/**
 * Which services the parity preflight compares — those the faults target, and those the load
 * routes through (src/environment/routed-services.ts) — and `chaos plan`'s parity lines:
 * read-only, and never starting anything — on the lab only when one is running (`chaos lab up`),
 * on real clusters through their kubeconfigs. A cluster that cannot be read is said so; the plan
 * itself does not fail for it.
 */
import { errorText } from '../errors/errors.js';
import { connectExisting } from '../environment/open-environment.js';
import { readParity, renderParity, type ParityReport } from '../environment/parity.js';
import { routedServices } from '../environment/routed-services.js';
import type { Environment } from '../environment/types.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import { targetedServices } from '../scenario/targeted-services.js';
import type { Scenario } from '../scenario/types.js';

export interface ParityCheck {
  targeted: string[];
  /** On the load's path and not targeted. */
  routedThrough: string[];
  report: ParityReport;
}

/** Reads the parity of every service the scenario targets or its load routes through. */
export async function checkParity(
  scenario: Scenario,
  environment: Environment,
  apis: ClusterApis,
): Promise<ParityCheck> {
  const targeted = targetedServices(scenario);
  const routed = await routedServices(environment, apis, scenario.load.host ?? environment.host);
  const routedThrough = routed.filter((service) => !targeted.includes(service));
  const report = await readParity(environment, apis, [...targeted, ...routedThrough].sort());
  return { targeted, routedThrough, report };
}

export function renderParityCheck(check: ParityCheck): string[] {
  const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
  return [
    `parity over the services targeted (${list(check.targeted)}) and routed through (${list(check.routedThrough)})`,
    ...renderParity(check.report),
  ];
}

export async function planParity(scenario: Scenario, environment: Environment, cwd: string): Promise<string[]> {
  const targeted = targetedServices(scenario);
  const subjects = `${targeted.length > 0 ? `${targeted.join(', ')} and ` : ''}the services the load routes through`;
  try {
    const opened = await connectExisting(environment, cwd);
    if (!opened) return [`parity of ${subjects}: checked at run start (no lab is running)`];
    const check = await checkParity(scenario, environment, opened.apis);
    return [
      ...renderParityCheck(check),
      ...(scenario.requireParity && check.report.differences.length > 0
        ? ['requireParity: true — a run would refuse to start on these differences']
        : []),
    ];
  } catch (error) {
    return [`parity of ${subjects}: not checked (${errorText(error).split('\n')[0]})`];
  }
}
