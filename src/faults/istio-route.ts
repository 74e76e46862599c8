/**
 * `istio-delay` and `istio-abort`: a route of our own, named `chaos-<runId>-<faultId>`, at the
 * head of the VirtualService that routes the host (gateway-bound for `via: ingress`, mesh for
 * `via: mesh`), inserted by JSON patch guarded by a resourceVersion `test`. For a mesh host
 * with no VirtualService we create one and delete it on revert. The revert removes exactly our
 * routes, so what was there before comes back byte-identical.
 */
import { HarnessError } from '../errors/errors.js';
import { isAlreadyExists } from '../kube/api-error.js';
import { retryOnConflict } from '../kube/retry.js';
import type { VirtualService } from '../kube/types.js';
import type { IstioAbortFault, IstioDelayFault } from '../scenario/types.js';
import { annotation } from './annotations.js';
import type { FaultContext, FaultPlugin, FaultTarget, KubeContext } from './fault-plugin.js';
import type { Mutation, RouteInsertMutation, VirtualServiceCreateMutation } from './mutation.js';
import { routeInsertHandler, virtualServiceCreateHandler } from './istio-route-revert.js';
import {
  annotatedRoutes,
  buildCopies,
  digestWithout,
  insertionPatch,
  planRoutes,
  routeNames,
  type FaultSpec,
  type RoutePlan,
} from './virtual-service-routes.js';
import { revertMutations, verifyMutationsReverted, waitUntil } from './wait.js';

type RouteFault = IstioDelayFault | IstioAbortFault;

/** The name of the route we insert: unique per run and fault, so revert removes exactly it. */
export function routeName(runId: string, faultId: string): string {
  return `chaos-${runId}-${faultId}`;
}

/** Shared by istio-delay and istio-abort: both insert a route of our own ahead of the others. */
export function planRouteFault(fault: RouteFault, target: FaultTarget, effect: string): string[] {
  const which = fault.via === 'ingress' ? 'every gateway-bound VirtualService routing' : 'the mesh VirtualService of';
  const where = fault.via === 'ingress' ? 'any namespace' : target.namespace;
  const name = routeName(target.runId, fault.id);
  return [
    `find ${which} host "${fault.host}" in ${where} (networking.istio.io/v1)`,
    `JSON patch (test metadata.resourceVersion): insert route "${name}" at spec.http[0], a copy of the route to the host (with copies "${name}-2", … of any routes before it, so no path changes destination), fault ${effect} for ${fault.percentage}% of requests; annotations ${annotation.run}, ${annotation.routes}, ${annotation.expires}`,
    fault.via === 'mesh'
      ? `if no VirtualService routes "${fault.host}": create VirtualService "${name}" (hosts [${fault.host}], one route with the fault)`
      : `if no gateway-bound VirtualService routes "${fault.host}": refuse (ingress traffic to it is not routed by Istio)`,
    'verify: our route heads the VirtualService as the API server stores it',
    'revert: remove exactly our routes (or delete the VirtualService we created); everything else stays byte-identical',
  ];
}

function faultSpec(fault: RouteFault): FaultSpec {
  const percentage = { value: fault.percentage };
  // Always an explicit percentage: istiod sets no Envoy percentage without it.
  return fault.type === 'istio-delay'
    ? { delay: { fixedDelay: `${fault.delayMs}ms`, percentage } }
    : { abort: { httpStatus: fault.status, percentage } };
}

async function listCandidates(fault: RouteFault, ctx: FaultContext): Promise<VirtualService[]> {
  // Gateway-bound VirtualServices often live beside the gateway, not the app: look everywhere.
  return ctx.api.listVirtualServices(fault.via === 'ingress' ? undefined : ctx.target.namespace);
}

async function insertInto(plan: RoutePlan, fault: RouteFault, ctx: FaultContext): Promise<void> {
  const { target } = ctx;
  const vs = plan.virtualService;
  const namespace = vs.metadata.namespace ?? target.namespace;
  const names = routeNames(routeName(target.runId, fault.id), plan.copyCount);
  const holder = vs.metadata.annotations?.[annotation.run];
  if (holder && holder !== target.runId) {
    throw new HarnessError(
      `VirtualService ${namespace}/${vs.metadata.name} in ${target.cluster} is already changed by chaos run ${holder}`,
      'a run died without reverting: `chaos recover` puts it back',
    );
  }
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
  };
  const annotations = {
    [annotation.run]: target.runId,
    [annotation.expires]: ctx.expiresAt,
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
        [annotation.expires]: ctx.expiresAt,
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
    const plans = planRoutes(await listCandidates(fault, ctx), {
      host: fault.host,
      namespace: ctx.target.namespace,
      via: fault.via,
    });
    if (plans.length === 0 && fault.via === 'ingress') {
      throw new HarnessError(
        `no gateway-bound VirtualService routes host "${fault.host}" in cluster ${ctx.target.cluster}: ingress traffic to it is not routed by Istio, so there is no place for the fault`,
        'name the Service the gateway VirtualService routes to (its destination host), or use via: mesh',
      );
    }
    if (plans.length === 0) return createFor(fault, ctx);
    for (const plan of plans) await insertInto(plan, fault, ctx);
  }, ctx.api.retry);
  return undefined;
}

const handlers = { 'route-insert': routeInsertHandler, 'virtualservice-create': virtualServiceCreateHandler };

function ourRouteMutations(applied: readonly Mutation[]): Array<RouteInsertMutation | VirtualServiceCreateMutation> {
  return applied.filter(
    (mutation): mutation is RouteInsertMutation | VirtualServiceCreateMutation =>
      mutation.kind === 'route-insert' || mutation.kind === 'virtualservice-create',
  );
}

async function verifyRoutes(fault: RouteFault, ctx: FaultContext, applied: readonly Mutation[]): Promise<void> {
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
}

function routePlugin<F extends RouteFault>(type: F['type'], effect: (fault: F) => string): FaultPlugin<F> {
  return {
    type,
    plan: (fault, target) => planRouteFault(fault, target, effect(fault)),
    apply: applyRouteFault,
    verify: verifyRoutes,
    revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
    verifyReverted: (_fault, ctx, applied) => verifyMutationsReverted(applied, handlers, ctx),
  };
}

export const istioDelay = routePlugin<IstioDelayFault>('istio-delay', (fault) => `delay.fixedDelay ${fault.delayMs}ms`);
export const istioAbort = routePlugin<IstioAbortFault>('istio-abort', (fault) => `abort.httpStatus ${fault.status}`);
