/**
 * Pure VirtualService logic for istio-delay / istio-abort: which VirtualService routes a host
 * (gateway-bound for ingress traffic, mesh for sidecar traffic), which routes to copy, the
 * JSON patch that inserts our copies at the head and the one that removes exactly them.
 *
 * Why copies of a *prefix* of the route list: our routes go first, so a copy of only the
 * host's route would shadow earlier, more specific routes (e.g. `/api` → another service).
 * Copying routes 0..k (k = last route to the host), with the fault only on the routes to the
 * host, keeps every request's destination exactly what it was; only the fault is new.
 */
import { type HttpRoute, type VirtualService } from '../../kube/types.js';

export type FaultSpec =
  | { delay: { fixedDelay: string; percentage: { value: number } } }
  | { abort: { httpStatus: number; percentage: { value: number } } };

export interface RouteTarget {
  host: string;
  /** The fault's namespace: a short host name is a Service there. */
  namespace: string;
  via: 'ingress' | 'mesh';
}

export interface RoutePlan {
  virtualService: VirtualService;
  /** How many leading routes are copied. */
  copyCount: number;
  /** Indices (among the copied) that get the fault. */
  faulted: number[];
  /**
   * `match.gateways` every copy is limited to, when the VirtualService is bound to both a
   * gateway and `mesh`: the gateways for `via: ingress`, `mesh` for `via: mesh`.
   */
  scope?: string[];
  /** The root VirtualService delegating to this one, when it is a delegate. */
  delegateOf?: string;
}

/** `frontend` in bank-of-anthos → `frontend.bank-of-anthos.svc.cluster.local`; external names stay. */
export function qualifyHost(host: string, namespace: string): string {
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (host.endsWith('.svc')) return `${host}.cluster.local`;
  return host;
}

function hostMatches(vsHost: string, vsNamespace: string, wanted: string): boolean {
  if (vsHost === '*') return true;
  if (vsHost.startsWith('*.')) return wanted.endsWith(vsHost.slice(1));
  return qualifyHost(vsHost, vsNamespace) === wanted;
}

function routesTo(route: HttpRoute, vsNamespace: string, wanted: string): boolean {
  return (route.route ?? []).some(
    (destination) =>
      destination.destination?.host !== undefined && qualifyHost(destination.destination.host, vsNamespace) === wanted,
  );
}

function isGatewayBound(vs: VirtualService): boolean {
  return (vs.spec.gateways ?? []).some((gateway) => gateway !== 'mesh');
}

function isMeshBound(vs: VirtualService): boolean {
  const gateways = vs.spec.gateways ?? [];
  return gateways.length === 0 || gateways.includes('mesh');
}

/** `exportTo` as Istio reads it: absent or empty = every namespace ('*'); '.' = its own; '~' = none. */
function isVisibleIn(vs: VirtualService, namespace: string): boolean {
  const exportTo = Array.isArray(vs.spec.exportTo) ? (vs.spec.exportTo as unknown[]).map(String) : [];
  if (exportTo.length === 0) return true;
  const own = vs.metadata.namespace ?? '';
  return exportTo.some((entry) => entry === '*' || entry === namespace || (entry === '.' && own === namespace));
}

function isDelegate(vs: VirtualService): boolean {
  return (vs.spec.hosts ?? []).length === 0;
}

function delegateOf(route: HttpRoute, rootNamespace: string): { namespace: string; name: string } | undefined {
  const delegate = route.delegate as { name?: unknown; namespace?: unknown } | undefined;
  if (!delegate || typeof delegate.name !== 'string') return undefined;
  return {
    name: delegate.name,
    namespace: typeof delegate.namespace === 'string' ? delegate.namespace : rootNamespace,
  };
}

function nameOf(vs: VirtualService): string {
  return `${vs.metadata.namespace ?? ''}/${vs.metadata.name}`;
}

/** Gateways a copy must be limited to (match.gateways), or undefined when the VirtualService has only that scope. */
function scopeOf(vs: VirtualService, via: 'ingress' | 'mesh'): string[] | undefined {
  const gateways = vs.spec.gateways ?? [];
  if (!isGatewayBound(vs) || !isMeshBound(vs)) return undefined;
  return via === 'mesh' ? ['mesh'] : gateways.filter((gateway) => gateway !== 'mesh');
}

/** Routes to the host in a delegate (or any) VirtualService: what gets the fault there. */
function routesToHost(routes: readonly HttpRoute[], vsNamespace: string, wanted: string, all: boolean): number[] {
  return routes.map((route, index) => (all || routesTo(route, vsNamespace, wanted) ? index : -1)).filter((i) => i >= 0);
}

/** Where the fault goes, or why it cannot go anywhere without a second VirtualService for the host. */
export interface Placement {
  plans: RoutePlan[];
  /** VirtualServices for the host the fault cannot go into, each with why (a second one would conflict). */
  blockers: Array<{ virtualService: string; reason: string }>;
}

/** What placing one fault collects: the plans, what blocks them, and the lookups they need. */
interface Placing {
  target: RouteTarget;
  /** The target host, fully qualified. */
  wanted: string;
  all: readonly VirtualService[];
  plans: RoutePlan[];
  blockers: Placement['blockers'];
}

/**
 * Every VirtualService that applies to the host from the fault's point of view — mesh: bound
 * to `mesh` and exported to the fault's namespace, in any namespace; ingress: bound to a
 * gateway, in any namespace — with delegates followed (the routes live in the delegate).
 * What cannot take the fault (TCP/TLS only, not exported to the fault's namespace, two mesh
 * VirtualServices for one host, which Istio resolves by picking one: IST0109) is a blocker.
 */
export function placeFault(virtualServices: readonly VirtualService[], target: RouteTarget): Placement {
  const placing: Placing = {
    target,
    wanted: qualifyHost(target.host, target.namespace),
    all: virtualServices,
    plans: [],
    blockers: [],
  };
  const meshOwners: VirtualService[] = [];
  for (const vs of virtualServices) {
    if (isDelegate(vs)) continue;
    if (target.via === 'mesh') placeInMesh(placing, vs, meshOwners);
    else if (isGatewayBound(vs)) placeAtIngress(placing, vs);
  }
  if (meshOwners.length > 1) {
    placing.blockers.push({
      virtualService: meshOwners.map(nameOf).join(' and '),
      reason: `both route "${target.host}" in the mesh: Istio uses only one of them (IST0109), so a fault in either may do nothing; merge them first`,
    });
  }
  return { plans: placing.blockers.length > 0 ? [] : placing.plans, blockers: placing.blockers };
}

/** A mesh VirtualService applies to every request for its hosts: every route gets the fault. */
function placeInMesh(placing: Placing, vs: VirtualService, meshOwners: VirtualService[]): void {
  const { target, wanted } = placing;
  const vsNamespace = vs.metadata.namespace ?? target.namespace;
  const named = (vs.spec.hosts ?? []).some((host) => host !== '*' && hostMatches(host, vsNamespace, wanted));
  if (!named || !isMeshBound(vs)) return;
  if (!isVisibleIn(vs, target.namespace)) {
    placing.blockers.push({
      virtualService: nameOf(vs),
      reason: `routes "${target.host}" in the mesh but is not exported to ${target.namespace} (exportTo ${JSON.stringify(vs.spec.exportTo)}): a fault there would not reach callers in ${target.namespace}, and a second VirtualService for the host would conflict with it`,
    });
    return;
  }
  meshOwners.push(vs);
  const http = vs.spec.http ?? [];
  if (http.length === 0) {
    placing.blockers.push({
      virtualService: nameOf(vs),
      reason: `routes "${target.host}" with TCP/TLS routes only: an HTTP fault needs an http route, and a second VirtualService for the host would conflict with it (IST0109)`,
    });
    return;
  }
  addDelegates(placing, vs, http, true);
  const routes = http.filter((route) => route.delegate === undefined);
  if (routes.length === 0) return;
  const whole = routes.length === http.length;
  placing.plans.push({
    virtualService: vs,
    copyCount: whole ? routes.length : firstDelegate(http),
    faulted: whole ? routes.map((_, index) => index) : range(firstDelegate(http)),
    scope: scopeOf(vs, 'mesh'),
  });
}

/** A gateway-bound VirtualService: the routes to the host (all of them when it names the host exactly). */
function placeAtIngress(placing: Placing, vs: VirtualService): void {
  const vsNamespace = vs.metadata.namespace ?? placing.target.namespace;
  const http = vs.spec.http ?? [];
  const exactHost = (vs.spec.hosts ?? []).some(
    (host) => host !== '*' && !host.startsWith('*.') && hostMatches(host, vsNamespace, placing.wanted),
  );
  addDelegates(placing, vs, http, exactHost);
  const faulted = http
    .slice(0, firstDelegate(http))
    .map((route, index) => (exactHost || routesTo(route, vsNamespace, placing.wanted) ? index : -1))
    .filter((index) => index >= 0);
  if (faulted.length > 0)
    placing.plans.push({
      virtualService: vs,
      copyCount: Math.max(...faulted) + 1,
      faulted,
      scope: scopeOf(vs, 'ingress'),
    });
}

/** Delegates the root's routes point to: a fault goes into each that routes the host. */
function addDelegates(placing: Placing, root: VirtualService, routes: readonly HttpRoute[], all: boolean): void {
  for (const route of routes) {
    const ref = delegateOf(route, root.metadata.namespace ?? placing.target.namespace);
    if (!ref) continue;
    const delegate = placing.all.find(
      (vs) => vs.metadata.name === ref.name && (vs.metadata.namespace ?? '') === ref.namespace,
    );
    if (!delegate) {
      placing.blockers.push({
        virtualService: `${ref.namespace}/${ref.name}`,
        reason: `delegate of ${nameOf(root)}, not found`,
      });
      continue;
    }
    const faulted = routesToHost(
      delegate.spec.http ?? [],
      delegate.metadata.namespace ?? ref.namespace,
      placing.wanted,
      all,
    );
    if (faulted.length === 0) continue;
    placing.plans.push({
      virtualService: delegate,
      copyCount: Math.max(...faulted) + 1,
      faulted,
      scope: scopeOf(root, placing.target.via),
      delegateOf: nameOf(root),
    });
  }
}

/** Routes before the first delegating one: copies never reach past a delegate (its routes live elsewhere). */
function firstDelegate(http: readonly HttpRoute[]): number {
  const index = http.findIndex((route) => route.delegate !== undefined);
  return index < 0 ? http.length : index;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
