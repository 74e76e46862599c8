/**
 * Undo of our VirtualService changes: remove exactly our routes (by name) with a JSON patch
 * guarded by resourceVersion, re-deciding from a fresh read on conflict; delete a
 * VirtualService we created, unless someone else added to it meanwhile.
 */
import { isNotFound } from '../kube/api-error.js';
import { retryOnConflict } from '../kube/retry.js';
import type { VirtualService } from '../kube/types.js';
import { annotation } from './annotations.js';
import type { KubeContext, MutationHandler } from './fault-plugin.js';
import type { RevertOutcome, RouteInsertMutation, VirtualServiceCreateMutation } from './mutation.js';
import { digestWithout, removalPatch } from './virtual-service-routes.js';
import { kubectl, waitUntil } from './wait.js';

async function readOrUndefined(ctx: KubeContext, namespace: string, name: string): Promise<VirtualService | undefined> {
  try {
    return await ctx.api.readVirtualService(namespace, name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
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
  revert: (mutation, ctx) => retryOnConflict(() => removeRoutes(mutation, ctx, []), ctx.api.retry),
  verifyReverted: (mutation, ctx) =>
    waitUntil(
      ctx,
      `routes ${mutation.routes.join(', ')} gone from VirtualService ${mutation.namespace}/${mutation.virtualService} in ${mutation.cluster}`,
      async () => {
        const vs = await readOrUndefined(ctx, mutation.namespace, mutation.virtualService);
        const left = vs ? presentRoutes(vs, mutation.routes) : [];
        return left.length > 0 ? `still there: ${left.join(', ')}` : undefined;
      },
    ),
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
  verifyReverted: (mutation, ctx) =>
    waitUntil(
      ctx,
      `VirtualService ${mutation.namespace}/${mutation.virtualService} gone in ${mutation.cluster}`,
      async () => {
        const vs = await readOrUndefined(ctx, mutation.namespace, mutation.virtualService);
        if (!vs) return undefined;
        return presentRoutes(vs, mutation.routes).length > 0 ? 'still there with our routes' : undefined;
      },
    ),
  manual: (mutation, context) =>
    `${kubectl(context, mutation.namespace)} delete virtualservice ${mutation.virtualService}`,
};
