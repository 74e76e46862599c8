/**
 * Reads the clusters a plan would change and collects every refusal of every fault — the same
 * `check` the fault runs before applying — so `chaos plan`, `chaos validate --env` and the
 * run's preflight refuse the same things, each naming the object, the reason and the override.
 * Changes nothing. A cluster that cannot be read is reported as such, not as clean.
 */
import type { Refusal } from '../faults/fault-plugin.js';
import { pluginFor } from '../faults/registry.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import type { RunPlan } from './build-plan.js';

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
        try {
          checks.push({ ...base, refusals: plugin.check ? await plugin.check(fault, { api, target }) : [] });
        } catch (error) {
          checks.push({ ...base, refusals: [], unread: error instanceof Error ? error.message : String(error) });
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
