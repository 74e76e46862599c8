/**
 * The guard `chaos lab up` keeps in its own process, over both lab clusters: a `chaos run` against
 * the lab that is killed (kill -9) is reverted without anyone running `chaos recover`, as a guard
 * does in a real cluster. Its address is loopback only.
 */
import { connectEnvironment } from '../environment/connect.js';
import { labEnvironment } from '../environment/lab-environment.js';
import { defaultGuardSettings, startGuard, type RunningGuard } from './start-guard.js';

export async function startLabGuard(
  kubeconfigYaml: string,
  graceMs: number,
  log: (line: string) => void,
): Promise<RunningGuard> {
  const environment = labEnvironment();
  const apis = connectEnvironment(environment, { kubeconfigYaml });
  const settings = { ...defaultGuardSettings, graceMs, address: '127.0.0.1:0' };
  return startGuard(apis, { ...settings, istioConvergence: environment.istioConvergence }, log);
}
