/**
 * `istio-delay` and `istio-abort`: a route of our own, named `chaos-<runId>-<faultId>`, at the
 * head of every VirtualService that routes the host from the fault's point of view (gateway-bound
 * for `via: ingress`, mesh and exported to the fault's namespace for `via: mesh`, in any
 * namespace, delegates followed), inserted by JSON patch guarded by a resourceVersion `test`.
 * Copies of a VirtualService bound to both a gateway and `mesh` carry `match.gateways` limited
 * to the fault's side. For a mesh host no VirtualService routes we create one and delete it on
 * revert; where that would make a second VirtualService for a host that has one (TCP/TLS only,
 * not exported to the fault's namespace, or already two), the fault is refused naming both.
 *
 * Written in the cluster that holds the mesh's Istio config (the target's cluster, which the
 * plan sets from the environment's istioConfigCluster). Effective — and reverted — only when the
 * data plane has it: the VirtualService status (observedGeneration and the Reconciled condition
 * istiod writes with config distribution tracking on) or, without that signal, a declared
 * settle time. The revert removes exactly our routes: what was there comes back byte-identical.
 */
import { HarnessError } from '../../errors/errors.js';
import { defaultIstioSettleMs, type IstioConvergence } from '../../environment/types.js';
import { isAlreadyExists } from '../../kube/api-error.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { VirtualService } from '../../kube/types.js';
import type { IstioAbortFault, IstioDelayFault } from './schema.js';
import { annotation, expiryAnnotations } from '../annotations.js';
import type {
  CheckContext,
  Convergence,
  FaultContext,
  FaultPlugin,
  FaultTarget,
  KubeContext,
  Refusal,
} from '../fault-plugin.js';
import type { IstioMutation, RouteInsertMutation, VirtualServiceCreateMutation } from './mutations.js';
import { routeInsertHandler, virtualServiceCreateHandler, waitConverged } from './route-revert.js';
import { refusalError } from '../refusal.js';
import { placeFault, type FaultSpec, type Placement, type RoutePlan } from './virtual-service-routes.js';
import {
  annotatedRoutes,
  buildCopies,
  copyCountOf,
  digestWithout,
  insertionPatch,
  routeNames,
} from './virtual-service-patches.js';
import { revertMutations, verifyMutationsReverted, waitUntil } from '../wait.js';

type RouteFault = IstioDelayFault | IstioAbortFault;

/** The name of the route we insert: unique per run and fault, so revert removes exactly it. */
function routeName(runId: string, faultId: string): string {
  return `chaos-${runId}-${faultId}`;
}

function convergenceOf(target: FaultTarget): IstioConvergence {
  return target.istioConvergence ?? { kind: 'settle', settleMs: defaultIstioSettleMs };
}

function describeConvergence(convergence: IstioConvergence): string {
  return convergence.kind === 'status'
    ? 'the VirtualService status says the data plane has it (status.observedGeneration ≥ metadata.generation and the Reconciled condition True, written by istiod with PILOT_ENABLE_STATUS); a VirtualService we delete has no status: then wait the settle time'
    : `no convergence signal declared (environment istio.convergence: settle): wait ${convergence.settleMs} ms after the API call`;
}

/** Shared by istio-delay and istio-abort: both insert a route of our own ahead of the others. */
function planRouteFault(fault: RouteFault, target: FaultTarget, effect: string): string[] {
  const name = routeName(target.runId, fault.id);
  const where =
    target.workloadClusters && target.workloadClusters.some((cluster) => cluster !== target.cluster)
      ? `in ${target.cluster}, which holds the Istio config of ${target.workloadClusters.join(', ')} (istioConfigCluster)`
      : `in ${target.cluster}`;
  const which =
    fault.via === 'ingress'
      ? `every gateway-bound VirtualService routing host "${fault.host}", any namespace`
      : `every mesh VirtualService of host "${fault.host}" exported to ${target.namespace}, any namespace`;
  return [
    `find ${which}, delegates followed, ${where} (networking.istio.io/v1)`,
    `JSON patch (test metadata.resourceVersion): insert route "${name}" at spec.http[0], a copy of the route to the host (with copies "${name}-2", … of any routes before it, so no path changes destination), fault ${effect} for ${fault.percentage}% of requests; on a VirtualService bound to a gateway and mesh the copies carry match.gateways = ${fault.via === 'ingress' ? 'its gateways' : '[mesh]'}; annotations ${annotation.run}, ${annotation.routes}, ${annotation.expires}`,
    fault.via === 'mesh'
      ? `if no VirtualService routes "${fault.host}": create VirtualService "${name}" (hosts [${fault.host}], one route with the fault); refuse, naming both, where that would be a second VirtualService for the host (TCP/TLS only, not exported to ${target.namespace}, or two already)`
      : `if no gateway-bound VirtualService routes "${fault.host}": refuse (ingress traffic to it is not routed by Istio)`,
    `effective when ${describeConvergence(convergenceOf(target))}; the journal and the result keep the API time and the converged time`,
    'revert: remove exactly our routes (or delete the VirtualService we created), then wait for the data plane the same way; everything else stays byte-identical',
  ];
}

function faultSpec(fault: RouteFault): FaultSpec {
  const percentage = { value: fault.percentage };
  // Always an explicit percentage: istiod sets no Envoy percentage without it.
  return fault.type === 'istio-delay'
    ? { delay: { fixedDelay: `${fault.delayMs}ms`, percentage } }
    : { abort: { httpStatus: fault.status, percentage } };
}

async function place(fault: RouteFault, ctx: CheckContext): Promise<Placement> {
  // Gateway-bound VirtualServices often live beside the gateway, mesh ones anywhere they are
  // exported from: look everywhere.
  return placeFault(await ctx.api.listVirtualServices(undefined), {
    host: fault.host,
    namespace: ctx.target.namespace,
    via: fault.via,
  });
}

function refusalsOf(fault: RouteFault, ctx: CheckContext, placement: Placement): Refusal[] {
  const ours = `${ctx.target.namespace}/${routeName(ctx.target.runId, fault.id)}`;
  const refusals: Refusal[] = placement.blockers.map((blocker) => ({
    object: `VirtualService ${blocker.virtualService} in ${ctx.target.cluster}`,
    reason: `${blocker.reason}; the fault would need VirtualService ${ours} as a second one for host "${fault.host}"`,
  }));
  if (placement.plans.length === 0 && refusals.length === 0 && fault.via === 'ingress') {
    refusals.push({
      object: `host "${fault.host}" in ${ctx.target.cluster}`,
      reason:
        'no gateway-bound VirtualService routes it: ingress traffic to it is not routed by Istio, so there is no place for the fault (name the Service the gateway VirtualService routes to, or use via: mesh)',
    });
  }
  for (const plan of placement.plans) {
    const holder = plan.virtualService.metadata.annotations?.[annotation.run];
    if (holder && holder !== ctx.target.runId)
      refusals.push({
        object: `VirtualService ${plan.virtualService.metadata.namespace ?? ''}/${plan.virtualService.metadata.name} in ${ctx.target.cluster}`,
        reason: `already changed by chaos run ${holder}; a run died without reverting: \`chaos recover\` puts it back`,
      });
  }
  return refusals;
}

async function checkRouteFault(fault: RouteFault, ctx: CheckContext): Promise<Refusal[]> {
  return refusalsOf(fault, ctx, await place(fault, ctx));
}

async function insertInto(plan: RoutePlan, fault: RouteFault, ctx: FaultContext): Promise<void> {
  const { target } = ctx;
  const vs = plan.virtualService;
  const namespace = vs.metadata.namespace ?? target.namespace;
  const names = routeNames(routeName(target.runId, fault.id), copyCountOf(plan));
  if ((vs.spec.http ?? []).some((route) => route.name !== undefined && names.includes(route.name))) return;
  const mutation: RouteInsertMutation = {
    runId: target.runId,
    faultId: fault.id,
    cluster: target.cluster,
    expiresAt: ctx.expiresAt,
    kind: 'route-insert',
    namespace,
    virtualService: vs.metadata.name,
    routes: names,
    baseline: digestWithout(vs, []),
    convergence: convergenceOf(target),
  };
  const annotations = {
    [annotation.run]: target.runId,
    ...expiryAnnotations(ctx.expiresAt, ctx.now()),
    [annotation.routes]: JSON.stringify([...annotatedRoutes(vs).filter((name) => !names.includes(name)), ...names]),
  };
  await ctx.mutate(mutation, () =>
    ctx.api.jsonPatchVirtualService(
      namespace,
      vs.metadata.name,
      insertionPatch(vs, buildCopies(plan, names, faultSpec(fault)), annotations),
    ),
  );
}

async function createFor(fault: RouteFault, ctx: FaultContext): Promise<void> {
  const { target } = ctx;
  const name = routeName(target.runId, fault.id);
  const mutation: VirtualServiceCreateMutation = {
    runId: target.runId,
    faultId: fault.id,
    cluster: target.cluster,
    expiresAt: ctx.expiresAt,
    kind: 'virtualservice-create',
    namespace: target.namespace,
    virtualService: name,
    routes: [name],
    convergence: convergenceOf(target),
  };
  const body: VirtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name,
      namespace: target.namespace,
      annotations: {
        [annotation.run]: target.runId,
        [annotation.fault]: fault.id,
        ...expiryAnnotations(ctx.expiresAt, ctx.now()),
        [annotation.routes]: JSON.stringify([name]),
        [annotation.created]: 'true',
      },
    },
    spec: {
      hosts: [fault.host],
      http: [{ name, fault: faultSpec(fault), route: [{ destination: { host: fault.host } }] }],
    },
  };
  await ctx.mutate(mutation, async () => {
    try {
      await ctx.api.createVirtualService(target.namespace, body);
    } catch (error) {
      // A retried create whose first try landed: it is ours already.
      if (!isAlreadyExists(error)) throw error;
    }
  });
}

async function applyRouteFault(fault: RouteFault, ctx: FaultContext): Promise<undefined> {
  await retryOnConflict(async () => {
    const placement = await place(fault, ctx);
    const refusals = refusalsOf(fault, ctx, placement);
    if (refusals.length > 0)
      throw refusalError(`place ${fault.type} on host "${fault.host}" in ${ctx.target.cluster}`, refusals);
    if (placement.plans.length === 0) return createFor(fault, ctx);
    for (const plan of placement.plans) await insertInto(plan, fault, ctx);
  }, ctx.api.retry);
  return undefined;
}

const handlers = { 'route-insert': routeInsertHandler, 'virtualservice-create': virtualServiceCreateHandler };

function ourRouteMutations(
  applied: readonly IstioMutation[],
): Array<RouteInsertMutation | VirtualServiceCreateMutation> {
  return applied.filter(
    (mutation): mutation is RouteInsertMutation | VirtualServiceCreateMutation =>
      mutation.kind === 'route-insert' || mutation.kind === 'virtualservice-create',
  );
}

async function verifyRoutes(
  fault: RouteFault,
  ctx: FaultContext,
  applied: readonly IstioMutation[],
): Promise<Convergence> {
  const mutations = ourRouteMutations(applied);
  if (mutations.length === 0) throw new HarnessError(`fault ${fault.id} recorded no route in ${ctx.target.cluster}`);
  await waitUntil(
    ctx,
    `route(s) of fault ${fault.id} at the head of their VirtualService in ${ctx.target.cluster}`,
    async () => {
      for (const mutation of mutations) {
        const vs = await ctx.api.readVirtualService(mutation.namespace, mutation.virtualService);
        const names = (vs.spec.http ?? []).map((route) => route.name ?? '');
        const start = names.indexOf(mutation.routes[0] ?? '');
        // Only routes of this run may precede ours (another fault of the run may have gone first).
        const ahead =
          start < 0 ? [] : names.slice(0, start).filter((name) => !name.startsWith(`chaos-${ctx.target.runId}-`));
        if (
          start < 0 ||
          ahead.length > 0 ||
          names.slice(start, start + mutation.routes.length).join(',') !== mutation.routes.join(',')
        ) {
          return `VirtualService ${mutation.namespace}/${mutation.virtualService} starts with ${names.slice(0, 3).join(', ') || 'no route'}`;
        }
      }
      return undefined;
    },
  );
  // Stored is not effective: wait until the data plane has it (or the declared settle time).
  let latest: Convergence | undefined;
  for (const mutation of mutations) {
    const convergence = await waitConverged(mutation, ctx, 'applied');
    if (!latest || convergence.convergedAtMs > latest.convergedAtMs) latest = convergence;
  }
  return latest!;
}

function routePlugin<F extends RouteFault>(
  type: F['type'],
  effect: (fault: F) => string,
): FaultPlugin<F, IstioMutation> {
  return {
    type,
    plan: (fault, target) => planRouteFault(fault, target, effect(fault)),
    check: checkRouteFault,
    apply: applyRouteFault,
    verify: verifyRoutes,
    revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
    verifyReverted: (_fault, ctx, applied) => verifyMutationsReverted(applied, handlers, ctx),
  };
}

export const istioDelay = routePlugin<IstioDelayFault>('istio-delay', (fault) => `delay.fixedDelay ${fault.delayMs}ms`);
export const istioAbort = routePlugin<IstioAbortFault>('istio-abort', (fault) => `abort.httpStatus ${fault.status}`);
