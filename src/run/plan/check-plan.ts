/**
 * Reads the clusters a plan would change and collects every refusal of every fault — the same
 * `check` the fault runs before applying — so `chaos plan`, `chaos validate --env` and the
 * run's preflight refuse the same things, each naming the object, the reason and the override.
 * Changes nothing. A cluster that cannot be read is reported as such, not as clean.
 */
import type { Refusal } from '../../faults/fault-plugin.js';
import { pluginFor } from '../../faults/registry.js';
import type { ClusterApis } from '../../kube/cluster-api.js';
import { errorText } from '../../errors/errors.js';
import { KubeApiError } from '../../kube/api-error.js';
import type { RunPlan } from './build-plan.js';

/** The server answered (e.g. 404 for a missing workload): the cluster itself is readable. */
function isApiAnswer(error: unknown): boolean {
  return error instanceof KubeApiError && typeof error.status === 'number' && error.status > 0;
}

export interface FaultCheck {
  phase: string;
  faultId: string;
  cluster: string;
  /** Position of the fault in the plan: its phase, and its index among the phase's faults. */
  phaseIndex: number;
  faultIndex: number;
  refusals: Refusal[];
  /** Why the cluster could not be read; then nothing is known about refusals. */
  unread?: string;
}

export async function checkPlan(plan: RunPlan, apis: ClusterApis): Promise<FaultCheck[]> {
  const checks: FaultCheck[] = [];
  // A cluster that failed to answer once is not asked again: one timeout, not one per fault.
  const unreadable = new Map<string, string>();
  for (const [phaseIndex, phase] of plan.phases.entries()) {
    for (const [faultIndex, { fault, targets }] of phase.faults.entries()) {
      const plugin = pluginFor(fault);
      for (const target of targets) {
        const base = { phase: phase.name, faultId: fault.id, cluster: target.cluster, phaseIndex, faultIndex };
        const api = apis.get(target.cluster);
        if (!api) {
          checks.push({ ...base, refusals: [], unread: `no API client for cluster ${target.cluster}` });
          continue;
        }
        const known = unreadable.get(target.cluster);
        if (known) {
          checks.push({ ...base, refusals: [], unread: known });
          continue;
        }
        try {
          checks.push({ ...base, refusals: plugin.check ? await plugin.check(fault, { api, target }) : [] });
        } catch (error) {
          const unread = errorText(error);
          if (!isApiAnswer(error)) unreadable.set(target.cluster, unread);
          checks.push({ ...base, refusals: [], unread });
        }
      }
    }
  }
  return checks;
}

/** One line per refusal, for messages: `fault drain in central: Pod ns/p in central: … (override: force: true)`. */
export function describeChecks(checks: readonly FaultCheck[]): string[] {
  return checks.flatMap((check) =>
    check.refusals.map(
      (refusal) =>
        `fault ${check.faultId} in ${check.cluster}: ${refusal.object}: ${refusal.reason}${refusal.override ? ` (override: ${refusal.override})` : ''}`,
    ),
  );
}
