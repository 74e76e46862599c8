/**
 * The second step, with the environment open and still nothing changed: where each ingress really
 * is, the clusters alike where the run needs them to be (parity), every ingress answering, and the
 * guard the scenario or environment requires in place.
 */
import { InputError } from '../../errors/errors.js';
import { checkIngresses, type OpenEnvironment } from '../../environment/open-environment.js';
import type { CliIo } from '../../system/io.js';
import { checkGuards } from '../check-guards.js';
import { checkParity, renderParityCheck } from '../plan-parity.js';
import type { PreparedRun } from './prepare-run.js';

export async function preflightRun(prepared: PreparedRun, opened: OpenEnvironment, io: CliIo): Promise<void> {
  const { scenario, environment, plan, say } = prepared;
  say(`environment ${environment.name}: ${opened.description}`);
  // The plan named where each ingress would come from; the run records where it really went.
  for (const load of plan.load) load.target = opened.ingressUrls[load.ingress] ?? load.target;
  // Parity: images, replicas and readiness across clusters of the services the faults target and the load
  // routes through.
  const parity = await checkParity(scenario, environment, opened.apis);
  for (const line of renderParityCheck(parity)) say(line);
  if (scenario.requireParity && parity.report.differences.length > 0)
    throw new InputError(
      `${scenario.name} requires parity and the clusters differ: ${parity.report.differences.join('; ')}`,
      [],
      'make the clusters the same, or remove requireParity: true to run anyway',
    );
  await checkIngresses(opened.ingressUrls, plan.load[0]?.host, scenario.load.paths[0] ?? '/');
  const requireGuard = scenario.requireGuard || environment.requireGuard === true;
  await checkGuards(environment, requireGuard, opened.apis, say, (line) => io.err(line));
}
