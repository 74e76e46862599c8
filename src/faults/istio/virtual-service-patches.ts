/**
 * Our routes in a VirtualService, as JSON: the copies we insert (named, with the fault only on
 * the routes to the host, limited to a gateway scope), the patch that inserts them at the head,
 * the one that removes exactly them, and a digest to prove the rest is untouched. Pure.
 */
import { createHash } from 'node:crypto';
import {
  escapePointer,
  type HttpRoute,
  type JsonPatchOp,
  type JsonValue,
  type VirtualService,
} from '../../kube/types.js';
import { annotation, isOurAnnotation } from '../annotations.js';
import type { FaultSpec, RoutePlan } from './virtual-service-routes.js';

export function routeNames(base: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => (index === 0 ? base : `${base}-${index + 1}`));
}

/**
 * Our copies: the original routes with our names, and the fault on the ones to the host. With
 * a scope, every copy's match blocks are limited to those gateways (a route's own
 * `match.gateways` intersected with it); a copy whose blocks all fall outside the scope does
 * not apply there and is left out — the original still serves the other scope.
 */
export function buildCopies(plan: RoutePlan, names: readonly string[], fault: FaultSpec): HttpRoute[] {
  const routes = plan.virtualService.spec.http ?? [];
  const copies: HttpRoute[] = [];
  routes.slice(0, plan.copyCount).forEach((route, index) => {
    const copy = structuredClone(route);
    if (plan.scope) {
      const scoped = scopeMatches(copy.match, plan.scope);
      if (scoped === undefined) return;
      copy.match = scoped;
    }
    if (plan.faulted.includes(index)) copy.fault = { ...(copy.fault ?? {}), ...fault };
    copies.push(copy);
  });
  return copies.map((copy, index) => ({ ...copy, name: names[index] ?? `${names[0]}-${index + 1}` }));
}

/** How many copies `buildCopies` makes for a plan (scoped copies may be fewer than copyCount). */
export function copyCountOf(plan: RoutePlan): number {
  if (!plan.scope) return plan.copyCount;
  const scope = plan.scope;
  return (plan.virtualService.spec.http ?? [])
    .slice(0, plan.copyCount)
    .filter((route) => scopeMatches(route.match, scope) !== undefined).length;
}

function scopeMatches(match: HttpRoute['match'], scope: readonly string[]): JsonValue[] | undefined {
  const blocks = (match && match.length > 0 ? match : [{}]) as Array<{ gateways?: unknown }>;
  const scoped: JsonValue[] = [];
  for (const block of blocks) {
    const own = Array.isArray(block.gateways) ? block.gateways.map(String) : undefined;
    const gateways = own ? own.filter((gateway) => scope.includes(gateway)) : [...scope];
    if (gateways.length === 0) continue;
    scoped.push({ ...(block as Record<string, JsonValue>), gateways });
  }
  return scoped.length > 0 ? scoped : undefined;
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
