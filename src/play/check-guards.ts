/**
 * Before a run on real clusters: is a `chaos guard` active in each cluster (its chaos-guard Lease
 * fresh)? Said per cluster; one warning when any is not; refused (harness error, exit 3, before the
 * lock or any change) when the scenario or the environment says `requireGuard: true`. The lab is not
 * asked: an embedded lab dies with its run, and `chaos lab up` runs a guard in process.
 */
import { HarnessError } from '../errors/errors.js';
import type { Environment } from '../environment/types.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import { readGuardPresence, type GuardPresence } from '../guard/guard-lease.js';

export async function checkGuards(
  environment: Environment,
  required: boolean,
  apis: ClusterApis,
  say: (line: string) => void,
  warn: (line: string) => void,
): Promise<GuardPresence[]> {
  if (environment.builtIn) return [];
  const presence = await Promise.all([...apis.values()].map((api) => readGuardPresence(api)));
  for (const cluster of presence)
    say(`guard in ${cluster.cluster}: ${cluster.active ? 'active' : 'NONE'} (${cluster.detail})`);
  const missing = presence.filter((cluster) => !cluster.active);
  if (missing.length === 0) return presence;
  const names = missing.map((cluster) => cluster.cluster).join(', ');
  if (required)
    throw new HarnessError(
      `no active chaos guard in ${names}, and ${environment.requireGuard ? `environment ${environment.name}` : 'the scenario'} says requireGuard: true: nothing was changed`,
      'deploy one (kubectl apply -f deploy/guard/) or run `chaos guard --env <environment>` beside the run',
    );
  warn(
    `warning: no active chaos guard in ${names}: if this process dies without reverting (kill -9, OOM, a lost machine), ` +
      'its faults stay until someone runs `chaos recover` (deploy/guard/ or `chaos guard` reverts them by itself)',
  );
  return presence;
}
