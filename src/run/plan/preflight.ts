/** The steady state must hold before a fault is injected: checked before anything changes. */
import { errorText, HarnessError } from '../../errors/errors.js';
import { checkWorkloadReplicas } from '../../faults/readiness.js';
import type { ClusterApis } from '../../kube/cluster-api.js';
import type { RunPlan } from './build-plan.js';
import { checkPlan, describeChecks } from './check-plan.js';

/** Before anything changes: every workload a scale fault targets exists and is ready in every cluster. */
export async function preflight(plan: RunPlan, apis: ClusterApis): Promise<void> {
  const problems: string[] = [];
  for (const phase of plan.phases) {
    for (const { fault, targets } of phase.faults) {
      if (fault.type !== 'scale') continue;
      for (const target of targets) {
        const api = apis.get(target.cluster);
        if (!api) {
          problems.push(`no API client for cluster ${target.cluster}`);
          continue;
        }
        try {
          const workload = await api.readWorkload(fault.kind, target.namespace, fault.name);
          const wanted = workload.spec?.replicas ?? 0;
          const problem =
            wanted > 0 ? await checkWorkloadReplicas(api, fault.kind, target.namespace, fault.name, wanted) : undefined;
          if (problem) problems.push(`${target.cluster}: ${problem}`);
        } catch (error) {
          problems.push(`${target.cluster}: ${errorText(error)}`);
        }
      }
    }
  }
  // Every fault's refusals (drain of unmanaged Pods, a second VirtualService, volumes deleted by a scale-down…).
  const checks = await checkPlan(plan, apis);
  for (const check of checks)
    if (check.unread) problems.push(`${check.cluster}: fault ${check.faultId}: could not check: ${check.unread}`);
  problems.push(...describeChecks(checks).map((line) => `refused: ${line}`));
  if (problems.length > 0)
    throw new HarnessError(
      `preflight failed, nothing was changed:\n  ${problems.join('\n  ')}`,
      'the steady state must hold before a fault is injected',
    );
}
