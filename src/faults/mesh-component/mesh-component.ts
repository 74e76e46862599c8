/**
 * `control-plane` and `east-west-gateway`: one Deployment of the mesh in Istio's namespace goes
 * to zero replicas in one cluster, exactly as the `scale` fault does it (its journaled undo
 * record, one JSON patch guarded by resourceVersion, our annotations), so `chaos recover` and
 * the guard find and undo it as any scale.
 *
 * Why a scale to zero: it is what a real outage looks like to the mesh — the Pods are gone,
 * while everything that points at them stays. For istiod: the proxies lose their xDS stream and
 * keep serving their last configuration. For the east-west gateway: its Service keeps its
 * LoadBalancer address, so the other clusters' istiods keep sending cross-cluster calls to it,
 * and those fail to connect (Envoy's 503 UF) until outlier detection ejects them and locality
 * failover finds another way — or fails. Removing the Service's address instead would be a
 * control-plane event (istiod drops the remote endpoints at once), the gentler failure users
 * rarely get.
 *
 * Effective when no ready endpoint of the component's Service is left in the cluster; reverted
 * when its replicas are ready again and the environment's Istio settle time has passed (no
 * signal says a proxy has reconnected and taken its full push).
 */
import { defaultIstioSettleMs, type IstioConvergence } from '../../environment/types.js';
import { isNotFound } from '../../kube/api-error.js';
import { annotation } from '../annotations.js';
import type { CheckContext, Convergence, FaultContext, FaultPlugin, FaultTarget, Refusal } from '../fault-plugin.js';
import { countReadyEndpoints } from '../readiness.js';
import { refusalError } from '../refusal.js';
import { checkWorkloadScale } from '../scale/checks.js';
import { scaleHandler } from '../scale/handlers.js';
import type { ScaleMutation } from '../scale/mutations.js';
import { scaleWorkload } from '../scale/scale.js';
import { revertMutations, verifyMutationsReverted, waitUntil } from '../wait.js';
import type { ControlPlaneFault, EastWestGatewayFault, MeshComponentFault } from './schema.js';

const handlers = { scale: scaleHandler };

/** The environment's settle time, by the records it applied (a revert's context does not carry the target). */
const settleOf = new WeakMap<ScaleMutation, IstioConvergence>();

function object(fault: MeshComponentFault, cluster: string): string {
  return `Deployment ${fault.istioNamespace}/${fault.deployment} in ${cluster}`;
}

async function checkComponent(fault: MeshComponentFault, ctx: CheckContext): Promise<Refusal[]> {
  const where = object(fault, ctx.api.cluster);
  let workload;
  try {
    workload = await ctx.api.readWorkload('Deployment', fault.istioNamespace, fault.deployment);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return [
      {
        object: where,
        reason: `not found: nothing to take away (a revisioned istiod is istiod-<revision>; Istio in another namespace: istioNamespace)`,
        override: 'deployment: <name>',
      },
    ];
  }
  const refusals = await checkWorkloadScale(ctx.api, {
    runId: ctx.target.runId,
    kind: 'Deployment',
    namespace: fault.istioNamespace,
    workload,
    replicas: 0,
    allowDataLoss: false,
    override: '',
  });
  const ours = workload.metadata?.annotations?.[annotation.run] === ctx.target.runId;
  if (!ours && (workload.spec?.replicas ?? 1) === 0)
    refusals.push({
      object: where,
      reason:
        'already at 0 replicas: it is down before the fault, so neither the fault nor its revert would mean anything',
    });
  else if (!ours && (await countReadyEndpoints(ctx.api, fault.istioNamespace, fault.deployment)) === 0)
    refusals.push({
      object: where,
      reason: `Service ${fault.istioNamespace}/${fault.deployment} has no ready endpoint: the component is already down`,
    });
  return refusals;
}

async function applyComponent(fault: MeshComponentFault, ctx: FaultContext): Promise<undefined> {
  const refusals = await checkComponent(fault, ctx);
  if (refusals.length > 0) throw refusalError(`take down ${object(fault, ctx.target.cluster)}`, refusals);
  await scaleWorkload(ctx, fault.id, 'Deployment', fault.istioNamespace, fault.deployment, 0);
  return undefined;
}

async function verifyDown(fault: MeshComponentFault, ctx: FaultContext, applied: readonly ScaleMutation[]) {
  const convergence = ctx.target.istioConvergence ?? { kind: 'settle', settleMs: defaultIstioSettleMs };
  for (const mutation of applied) settleOf.set(mutation, convergence);
  await waitUntil(
    ctx,
    `no ready endpoint of Service ${fault.istioNamespace}/${fault.deployment} in ${ctx.target.cluster}`,
    async () => {
      const ready = await countReadyEndpoints(ctx.api, fault.istioNamespace, fault.deployment);
      return ready ? `${ready} ready endpoint(s) left` : undefined;
    },
  );
}

function settleText(target: FaultTarget): string {
  const settleMs = target.istioConvergence?.settleMs ?? defaultIstioSettleMs;
  return `then wait the environment's Istio settle time (${settleMs} ms): no signal says every proxy has reconnected and taken its full push`;
}

function plugin<F extends MeshComponentFault>(
  type: F['type'],
  effect: (fault: F, target: FaultTarget) => string,
): FaultPlugin<F, ScaleMutation> {
  return {
    type,
    plan: (fault, target) => [
      `refuse if ${object(fault, target.cluster)} is missing, already at 0 replicas or without a ready endpoint, or held by another chaos run`,
      `record spec.replicas (journal), then ONE JSON patch of apps/v1 deployments/${fault.deployment} in ${fault.istioNamespace} of ${target.cluster}: test metadata.resourceVersion, add annotations ${annotation.run}, ${annotation.originalReplicas}, …, replace spec.replicas → 0 (as \`scale\` does; recover and the guard undo it as a scale)`,
      effect(fault, target),
      `verify: no ready endpoint of Service ${fault.istioNamespace}/${fault.deployment} left in ${target.cluster}`,
      `revert: JSON patch (test spec.replicas is still 0) restoring the recorded count and removing our annotations; wait until its replicas are ready, ${settleText(target)}`,
    ],
    check: checkComponent,
    apply: applyComponent,
    verify: verifyDown,
    revert: (_fault, ctx, applied) => revertMutations(applied, handlers, ctx),
    verifyReverted: async (_fault, ctx, applied): Promise<Convergence> => {
      await verifyMutationsReverted(applied, handlers, ctx);
      const settleMs = Math.max(0, ...applied.map((m) => settleOf.get(m)?.settleMs ?? defaultIstioSettleMs));
      await ctx.sleep(settleMs);
      return { convergence: 'settle', convergedAtMs: ctx.now() };
    },
  };
}

export const controlPlane = plugin<ControlPlaneFault>(
  'control-plane',
  (_fault, target) =>
    `effect: the gateways and sidecars of ${target.cluster} keep the last endpoints and routes istiod pushed them until it returns (Pods that go away meanwhile keep receiving traffic there); Istio config written into ${target.cluster} meanwhile is not pushed, and istiod's validating webhook may refuse it`,
);

export const eastWestGateway = plugin<EastWestGatewayFault>(
  'east-west-gateway',
  (_fault, target) =>
    `effect: the gateway's Service keeps its LoadBalancer address, so calls from other clusters to endpoints in ${target.cluster} fail to connect (503 UF) until outlier detection ejects them and locality failover finds another cluster — or nothing is left to fail over to`,
);
