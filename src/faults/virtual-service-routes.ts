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
import { createHash } from 'node:crypto';
import { escapePointer, type HttpRoute, type JsonPatchOp, type VirtualService } from '../kube/types.js';
import { annotation, isOurAnnotation } from './annotations.js';

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

/** Every VirtualService our fault must go into, with what to copy; empty when none routes the host. */
export function planRoutes(virtualServices: readonly VirtualService[], target: RouteTarget): RoutePlan[] {
  const wanted = qualifyHost(target.host, target.namespace);
  const plans: RoutePlan[] = [];
  for (const vs of virtualServices) {
    const vsNamespace = vs.metadata.namespace ?? target.namespace;
    const routes = (vs.spec.http ?? []).filter((route) => route.delegate === undefined);
    if (routes.length === 0 || routes.length !== (vs.spec.http ?? []).length) continue;
    if (target.via === 'mesh') {
      // A mesh VirtualService applies to every request for its hosts: every route gets the fault.
      const named = (vs.spec.hosts ?? []).some((host) => host !== '*' && hostMatches(host, vsNamespace, wanted));
      if (isMeshBound(vs) && named)
        plans.push({ virtualService: vs, copyCount: routes.length, faulted: routes.map((_, index) => index) });
      continue;
    }
    if (!isGatewayBound(vs)) continue;
    const exactHost = (vs.spec.hosts ?? []).some(
      (host) => host !== '*' && !host.startsWith('*.') && hostMatches(host, vsNamespace, wanted),
    );
    const faulted = routes
      .map((route, index) => (exactHost || routesTo(route, vsNamespace, wanted) ? index : -1))
      .filter((index) => index >= 0);
    if (faulted.length > 0) plans.push({ virtualService: vs, copyCount: Math.max(...faulted) + 1, faulted });
  }
  return plans;
}

export function routeNames(base: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => (index === 0 ? base : `${base}-${index + 1}`));
}

/** Our copies: the original routes with our names, and the fault on the ones to the host. */
export function buildCopies(plan: RoutePlan, names: readonly string[], fault: FaultSpec): HttpRoute[] {
  const routes = plan.virtualService.spec.http ?? [];
  return routes.slice(0, plan.copyCount).map((route, index) => {
    const copy = structuredClone(route);
    copy.name = names[index] ?? `${names[0]}-${index + 1}`;
    if (plan.faulted.includes(index)) copy.fault = { ...(copy.fault ?? {}), ...fault };
    return copy;
  });
}

/** Names listed in the VirtualService's `chaos.dev/routes` annotation. */
export function annotatedRoutes(vs: VirtualService): string[] {
  const text = vs.metadata.annotations?.[annotation.routes];
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

/** JSON patch: test resourceVersion, annotate, insert our routes at the head in order. */
export function insertionPatch(
  vs: VirtualService,
  copies: readonly HttpRoute[],
  annotations: Record<string, string>,
): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion ?? '' },
  ];
  if (!vs.metadata.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  for (const [key, value] of Object.entries(annotations))
    ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value });
  copies.forEach((route, index) => ops.push({ op: 'add', path: `/spec/http/${index}`, value: route }));
  return ops;
}

/** JSON patch removing exactly the named routes (and our annotations when no route of ours is left). */
export function removalPatch(vs: VirtualService, names: readonly string[]): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion ?? '' },
  ];
  const indices = (vs.spec.http ?? [])
    .map((route, index) => (route.name !== undefined && names.includes(route.name) ? index : -1))
    .filter((index) => index >= 0);
  for (const index of indices.reverse()) ops.push({ op: 'remove', path: `/spec/http/${index}` });
  const left = annotatedRoutes(vs).filter((name) => !names.includes(name));
  const annotations = vs.metadata.annotations ?? {};
  if (left.length > 0) {
    ops.push({
      op: 'replace',
      path: `/metadata/annotations/${escapePointer(annotation.routes)}`,
      value: JSON.stringify(left),
    });
  } else if (Object.keys(annotations).every(isOurAnnotation)) {
    if (vs.metadata.annotations) ops.push({ op: 'remove', path: '/metadata/annotations' });
  } else {
    for (const key of Object.keys(annotations).filter(isOurAnnotation))
      ops.push({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` });
  }
  return ops;
}

/**
 * A digest of the spec without our routes. Recorded at apply and compared at revert, it tells
 * whether someone else changed the VirtualService meanwhile (their change is kept and reported).
 */
export function digestWithout(vs: VirtualService, names: readonly string[]): string {
  const spec = {
    ...vs.spec,
    http: (vs.spec.http ?? []).filter((route) => route.name === undefined || !names.includes(route.name)),
  };
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
