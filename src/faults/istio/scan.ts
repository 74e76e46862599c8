/**
 * Leftovers of the Istio kind read from a cluster itself: VirtualServices carrying our annotations
 * rebuild the route mutations. Routes named `chaos-<run>-…` in a VirtualService that lost its
 * annotations are only suspects: removed when the run is known (from another leftover, a journal,
 * or --run), never on the name alone — a user may name a route "chaos-…" too.
 */
import { annotation, runMarks } from '../annotations.js';
import type { LeftoverScan, LeftoverSink, Suspect } from '../fault-kind.js';
import type { VirtualService } from '../../kube/types.js';
import { annotatedRoutes } from './virtual-service-patches.js';
import type { IstioMutation, RouteInsertMutation } from './mutations.js';

const routePattern = /^chaos-([a-z0-9]+)-(.+)$/;

function scanVirtualService(cluster: string, vs: VirtualService, result: LeftoverSink<IstioMutation>): void {
  const namespace = vs.metadata.namespace ?? '';
  const common = runMarks(cluster, vs.metadata.annotations);
  if (common) {
    // Trust only what a run of ours could have written: routes named after that run, and a
    // VirtualService it created named after it and its fault (anyone may write annotations).
    const routes = annotatedRoutes(vs).filter((route) => route.startsWith(`chaos-${common.runId}-`));
    const faultId = vs.metadata.annotations?.[annotation.fault] ?? routePattern.exec(routes[0] ?? '')?.[2] ?? '?';
    const created =
      vs.metadata.annotations?.[annotation.created] === 'true' &&
      vs.metadata.name === `chaos-${common.runId}-${faultId}`;
    const kind = created ? 'virtualservice-create' : 'route-insert';
    result.mutations.push({ ...common, faultId, kind, namespace, virtualService: vs.metadata.name, routes });
    return;
  }
  const byRun = new Map<string, string[]>();
  for (const route of vs.spec.http ?? []) {
    const match = route.name ? routePattern.exec(route.name) : null;
    if (match?.[1]) byRun.set(match[1], [...(byRun.get(match[1]) ?? []), route.name!]);
  }
  for (const [runId, routes] of byRun)
    result.suspects.push({ cluster, runId, namespace, virtualService: vs.metadata.name, routes });
}

export const istioScans: readonly LeftoverScan[] = [
  {
    what: 'VirtualServices',
    watches: ['virtualservices'],
    scan: async (api, result: LeftoverSink<IstioMutation>) => {
      for (const vs of await api.listVirtualServices(undefined)) scanVirtualService(api.cluster, vs, result);
    },
  },
];

/** A suspect route turned into a mutation, once its run is known to be ours. */
export function suspectMutation(suspect: Suspect): RouteInsertMutation {
  return {
    runId: suspect.runId,
    faultId: routePattern.exec(suspect.routes[0] ?? '')?.[2] ?? '?',
    cluster: suspect.cluster,
    expiresAt: '',
    kind: 'route-insert',
    namespace: suspect.namespace,
    virtualService: suspect.virtualService,
    routes: suspect.routes,
  };
}
