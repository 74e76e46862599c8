/** A run plan as `chaos plan --output json` prints it: what will change where, and the load (pure). */
import type { RunPlan } from '../run/plan/build-plan.js';
import type { z } from 'zod';
import type { planSchema } from './output-schemas.js';

export type PlanDocument = z.output<typeof planSchema>;

export function toPlanDocument(plan: RunPlan): PlanDocument {
  return {
    scenario: { name: plan.scenario.name, file: plan.scenario.file, expect: plan.scenario.expect },
    environment: {
      name: plan.environment.name,
      namespace: plan.environment.namespace,
      clusters: plan.environment.clusters.map((cluster) => ({ name: cluster.name, context: cluster.context })),
    },
    runId: plan.runId,
    totalMs: plan.totalMs,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      startMs: phase.startMs,
      durationMs: phase.durationMs,
      faults: phase.faults.map((planned) => ({
        id: planned.fault.id,
        type: planned.fault.type,
        targets: planned.targets.map((target) => ({
          cluster: target.cluster,
          context: target.context,
          namespace: target.namespace,
          mutations: [...target.mutations],
        })),
      })),
    })),
    load: plan.load.map((ingress) => ({
      ingress: ingress.ingress,
      target: ingress.target,
      ratePerSecond: ingress.ratePerSecond,
      method: ingress.method,
      paths: [...ingress.paths],
      ...(ingress.host !== undefined ? { host: ingress.host } : {}),
      timeoutMs: ingress.timeoutMs,
      preAllocatedVUs: ingress.preAllocatedVUs,
      maxVUs: ingress.maxVUs,
    })),
  };
}
