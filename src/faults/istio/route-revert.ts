/**
 * Undo of our VirtualService changes: remove exactly our routes (by name) with a JSON patch
 * guarded by resourceVersion, re-deciding from a fresh read on conflict; delete a
 * VirtualService we created, unless someone else added to it meanwhile.
 */
import { defaultIstioSettleMs } from '../../environment/types.js';
import { isNotFound } from '../../kube/api-error.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { VirtualService } from '../../kube/types.js';
import { annotation } from '../annotations.js';
import type { Convergence, KubeContext, MutationHandler } from '../fault-plugin.js';
import type { RevertOutcome } from '../mutation-base.js';
import type { RouteInsertMutation, VirtualServiceCreateMutation } from './mutations.js';
import { digestWithout, removalPatch } from './virtual-service-patches.js';
import { kubectl, waitUntil } from '../wait.js';

async function readOrUndefined(ctx: KubeContext, namespace: string, name: string): Promise<VirtualService | undefined> {
  try {
    return await ctx.api.readVirtualService(namespace, name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

interface IstioCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
  observedGeneration?: number | string;
}

/**
 * What the VirtualService status still lacks for its current generation to be in the data
 * plane: status.observedGeneration (an int-or-string in Istio's CRD) at least metadata.generation
 * and the Reconciled condition True — what istiod writes with config distribution tracking on.
 */
export function convergenceMissing(vs: VirtualService): string | undefined {
  const generation = Number(vs.metadata.generation ?? 0);
  const status = (vs.status ?? {}) as { observedGeneration?: number | string; conditions?: IstioCondition[] };
  const observed = Number(status.observedGeneration ?? -1);
  if (!(observed >= generation))
    return `status.observedGeneration ${status.observedGeneration ?? 'absent'} < generation ${generation}`;
  const reconciled = (status.conditions ?? []).find((condition) => condition.type === 'Reconciled');
  if (reconciled?.status !== 'True') return `condition Reconciled is ${reconciled?.status ?? 'absent'}`;
  return undefined;
}

/**
 * How long before the wait began a Reconciled transition may be and still be ours: the faults
 * of a phase are all applied, then all verified, so the API call precedes the wait by the
 * applies that followed it. Older stamps (a writer that does not restamp per generation) are
 * not trusted: then the time we saw the status is the converged time.
 */
const transitionSlackMs = 10_000;

/** When the data plane had it: the Reconciled condition's transition time, bounded by the wait. */
function reconciledAt(vs: VirtualService, startedAt: number, now: number): number {
  const conditions = ((vs.status ?? {}) as { conditions?: IstioCondition[] }).conditions ?? [];
  const at = Date.parse(conditions.find((condition) => condition.type === 'Reconciled')?.lastTransitionTime ?? '');
  return Number.isFinite(at) && at <= now && at >= startedAt - transitionSlackMs ? at : now;
}

/**
 * Waits until the data plane has what `mutation` did (stage `applied`) or undid (`reverted`):
 * the VirtualService status for its current generation, or — with no signal, or for a
 * VirtualService that is gone — the declared settle time.
 */
export async function waitConverged(
  mutation: RouteInsertMutation | VirtualServiceCreateMutation,
  ctx: KubeContext,
  stage: 'applied' | 'reverted',
): Promise<Convergence> {
  const convergence = mutation.convergence ?? { kind: 'settle', settleMs: defaultIstioSettleMs };
  const settle = async (): Promise<Convergence> => {
    await ctx.sleep(convergence.settleMs);
    return { convergence: 'settle', convergedAtMs: ctx.now() };
  };
  if (convergence.kind === 'settle') return settle();
  const startedAt = ctx.now();
  let seen: VirtualService | 'gone' | undefined;
  await waitUntil(
    ctx,
    `the data plane to have VirtualService ${mutation.namespace}/${mutation.virtualService} ${stage} in ${mutation.cluster} (its status; is istiod's PILOT_ENABLE_STATUS on? else declare istio.convergence: settle)`,
    async () => {
      const vs = await readOrUndefined(ctx, mutation.namespace, mutation.virtualService);
      if (!vs) {
        seen = 'gone';
        return undefined;
      }
      const missing = convergenceMissing(vs);
      if (missing) return missing;
      seen = vs;
      return undefined;
    },
  );
  if (seen === 'gone' || seen === undefined) return settle();
  const now = ctx.now();
  return {
    convergence: 'status',
    convergedAtMs: reconciledAt(seen, startedAt, now),
  };
}

function presentRoutes(vs: VirtualService, names: readonly string[]): string[] {
  return (vs.spec.http ?? [])
    .map((route) => route.name)
    .filter((name): name is string => name !== undefined && names.includes(name));
}

function hasOurAnnotations(vs: VirtualService, runId: string): boolean {
  return vs.metadata.annotations?.[annotation.run] === runId;
}

async function removeRoutes(
  mutation: RouteInsertMutation | VirtualServiceCreateMutation,
  ctx: KubeContext,
  notes: string[],
): Promise<RevertOutcome> {
  const { namespace, virtualService: name } = mutation;
  const vs = await readOrUndefined(ctx, namespace, name);
  if (!vs) return { status: 'absent', detail: `VirtualService ${namespace}/${name} no longer exists` };
  const present = presentRoutes(vs, mutation.routes);
  if (present.length === 0 && !hasOurAnnotations(vs, mutation.runId)) {
    return {
      status: 'absent',
      detail: `no route of ${mutation.routes.join(', ')} left in VirtualService ${namespace}/${name}`,
    };
  }
  if (
    mutation.kind === 'route-insert' &&
    mutation.baseline !== undefined &&
    digestWithout(vs, mutation.routes) !== mutation.baseline
  ) {
    notes.push(
      `VirtualService ${namespace}/${name} was changed by someone else meanwhile: their change is kept, only our routes were removed`,
    );
  }
  await ctx.api.jsonPatchVirtualService(namespace, name, removalPatch(vs, mutation.routes));
  return {
    status: 'reverted',
    detail: `removed route(s) ${present.join(', ') || '(none left)'} from VirtualService ${namespace}/${name}`,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

export const routeInsertHandler: MutationHandler<RouteInsertMutation> = {
  kind: 'route-insert',
  check: (mutation, context) =>
    `kubectl --context ${context} -n ${mutation.namespace} get virtualservice ${mutation.virtualService} -o yaml`,
  markObject: (mutation, api, patch) =>
    api.mergePatchVirtualService(mutation.namespace, mutation.virtualService, patch),
  describe: (mutation) =>
    `routes ${mutation.routes.join(', ')} in VirtualService ${mutation.namespace}/${mutation.virtualService} in ${mutation.cluster}`,
  key: (mutation) =>
    `${mutation.cluster}/${mutation.kind}/${mutation.namespace}/${mutation.virtualService}/${mutation.routes.join(',')}`,
  revert: (mutation, ctx) => retryOnConflict(() => removeRoutes(mutation, ctx, []), ctx.api.retry),
  verifyReverted: async (mutation, ctx) => {
    await waitUntil(
      ctx,
      `routes ${mutation.routes.join(', ')} gone from VirtualService ${mutation.namespace}/${mutation.virtualService} in ${mutation.cluster}`,
      async () => {
        const vs = await readOrUndefined(ctx, mutation.namespace, mutation.virtualService);
        const left = vs ? presentRoutes(vs, mutation.routes) : [];
        return left.length > 0 ? `still there: ${left.join(', ')}` : undefined;
      },
    );
    return waitConverged(mutation, ctx, 'reverted');
  },
  manual: (mutation, context) => routeManual(mutation, context),
};

/** get | jq (drop our routes and annotations) | replace: exact, whatever the routes' indices are by then. */
function routeManual(mutation: RouteInsertMutation | VirtualServiceCreateMutation, context: string): string {
  const k = kubectl(context, mutation.namespace);
  const names = mutation.routes.map((name) => `.name == "${name}"`).join(' or ');
  return (
    `${k} get virtualservice ${mutation.virtualService} -o json` +
    ` | jq 'del(.spec.http[] | select(${names})) | .metadata.annotations |= with_entries(select(.key | startswith("chaos.dev/") | not))'` +
    ` | ${k} replace -f -`
  );
}

export const virtualServiceCreateHandler: MutationHandler<VirtualServiceCreateMutation> = {
  kind: 'virtualservice-create',
  check: (mutation, context) =>
    `kubectl --context ${context} -n ${mutation.namespace} get virtualservice ${mutation.virtualService} -o yaml`,
  markObject: (mutation, api, patch) =>
    api.mergePatchVirtualService(mutation.namespace, mutation.virtualService, patch),
  describe: (mutation) =>
    `VirtualService ${mutation.namespace}/${mutation.virtualService} (created) in ${mutation.cluster}`,
  key: (mutation) =>
    `${mutation.cluster}/${mutation.kind}/${mutation.namespace}/${mutation.virtualService}/${mutation.routes.join(',')}`,
  revert: (mutation, ctx) =>
    retryOnConflict(async (): Promise<RevertOutcome> => {
      const { namespace, virtualService: name } = mutation;
      const vs = await readOrUndefined(ctx, namespace, name);
      if (!vs) return { status: 'absent', detail: `VirtualService ${namespace}/${name} no longer exists` };
      if (!hasOurAnnotations(vs, mutation.runId) || vs.metadata.annotations?.[annotation.created] !== 'true') {
        return {
          status: 'absent',
          detail: `VirtualService ${namespace}/${name} is not the one run ${mutation.runId} created`,
        };
      }
      const theirs = (vs.spec.http ?? []).filter(
        (route) => route.name === undefined || !mutation.routes.includes(route.name),
      );
      if (theirs.length > 0) {
        // Someone added routes to the VirtualService we made: keep theirs, remove ours, and say so.
        return removeRoutes(mutation, ctx, [
          `VirtualService ${namespace}/${name} (created by chaos) got routes from someone else meanwhile: kept it, removed only our routes`,
        ]);
      }
      try {
        await ctx.api.deleteVirtualService(namespace, name, vs.metadata.resourceVersion);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return { status: 'reverted', detail: `deleted VirtualService ${namespace}/${name}, which this run created` };
    }, ctx.api.retry),
  verifyReverted: async (mutation, ctx) => {
    await waitUntil(
      ctx,
      `VirtualService ${mutation.namespace}/${mutation.virtualService} gone in ${mutation.cluster}`,
      async () => {
        const vs = await readOrUndefined(ctx, mutation.namespace, mutation.virtualService);
        if (!vs) return undefined;
        return presentRoutes(vs, mutation.routes).length > 0 ? 'still there with our routes' : undefined;
      },
    );
    return waitConverged(mutation, ctx, 'reverted');
  },
  manual: (mutation, context) =>
    `${kubectl(context, mutation.namespace)} delete virtualservice ${mutation.virtualService}`,
};
