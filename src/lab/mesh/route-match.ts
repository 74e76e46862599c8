/**
 * Which VirtualService and which of its http routes a request takes, as Envoy evaluates the
 * routes istiod generates: hosts resolved against the VirtualService's namespace, routes
 * tried in order, the first whose match (any of its match blocks) fits wins.
 */
import type { HttpMatch, HttpRoute, StringMatch, VirtualServiceConfig } from './istio-config.js';

/** `namespace/name` of a Service. */
export type ServiceKey = string;

/**
 * `frontend`, `frontend.ns`, `frontend.ns.svc[.cluster.local]` → `ns/frontend`; other hosts are
 * not in-mesh services.
 */
export function serviceKeyOf(host: string, contextNamespace: string): ServiceKey | undefined {
  const bare = host.toLowerCase().replace(/:\d+$/, '');
  const parts = bare.split('.');
  if (parts.length === 1) return `${contextNamespace}/${parts[0] ?? ''}`;
  const suffix = parts.slice(2).join('.');
  if (parts.length === 2 || suffix === 'svc' || suffix === 'svc.cluster.local')
    return `${parts[1] ?? ''}/${parts[0] ?? ''}`;
  return undefined;
}

function fqdnOf(key: ServiceKey): string {
  const [namespace, name] = key.split('/');
  return `${name ?? ''}.${namespace ?? ''}.svc.cluster.local`;
}

function hostPatternMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern.toLowerCase() === host;
}

/**
 * How specifically a gateway-bound VirtualService matches the request's authority (0: not at
 * all). Envoy picks the most specific virtual host: exact name, then the longest wildcard
 * suffix, then `*`; VirtualServices of equal specificity are merged in creation order.
 */
export function gatewayHostSpecificity(vs: VirtualServiceConfig, authority: string): number {
  const host = authority.toLowerCase().replace(/:\d+$/, '');
  let best = 0;
  for (const pattern of vs.hosts) {
    if (!hostPatternMatches(pattern, host)) continue;
    const score = pattern === '*' ? 1 : pattern.startsWith('*.') ? 1 + pattern.length : 10_000;
    best = Math.max(best, score);
  }
  return best;
}

/** A mesh VirtualService applies to calls whose destination Service is one of its hosts. */
export function meshHostMatches(vs: VirtualServiceConfig, destination: ServiceKey): boolean {
  return vs.hosts.some(
    (pattern) =>
      pattern === '*' ||
      (!pattern.startsWith('*') && serviceKeyOf(pattern, vs.namespace) === destination) ||
      (pattern.startsWith('*.') && fqdnOf(destination).endsWith(pattern.slice(1))),
  );
}

/**
 * Bound to this cluster's ingress gateway: one of its `gateways` names (`name` in the
 * VirtualService's namespace, or `namespace/name`) is a Gateway selecting the ingress gateway.
 */
export function isBoundToIngress(vs: VirtualServiceConfig, ingressGateways: ReadonlySet<string>): boolean {
  return vs.gateways.some(
    (gateway) =>
      gateway !== 'mesh' && ingressGateways.has(gateway.includes('/') ? gateway : `${vs.namespace}/${gateway}`),
  );
}

export function appliesToMesh(vs: VirtualServiceConfig): boolean {
  return vs.gateways.length === 0 || vs.gateways.includes('mesh');
}

function stringMatches(match: StringMatch | undefined, value: string | undefined): boolean {
  if (!match) return true;
  if (value === undefined) return false;
  if (match.exact !== undefined && value !== match.exact) return false;
  if (match.prefix !== undefined && !value.startsWith(match.prefix)) return false;
  if (match.regex !== undefined && !match.regex.test(value)) return false;
  return true;
}

export interface RequestFacts {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
}

/** Where a request is routed: at the ingress gateway (the Gateways selecting it) or at a sidecar (`mesh`). */
export type RouteSite = { kind: 'mesh' } | { kind: 'gateway'; ingressGateways: ReadonlySet<string> };

/** `match.gateways` overrides the VirtualService's gateways for that block, as in Istio. */
function siteFits(match: HttpMatch, vs: VirtualServiceConfig, site: RouteSite): boolean {
  if (match.gateways === undefined) return true;
  if (site.kind === 'mesh') return match.gateways.includes('mesh');
  return match.gateways.some(
    (gateway) =>
      gateway !== 'mesh' && site.ingressGateways.has(gateway.includes('/') ? gateway : `${vs.namespace}/${gateway}`),
  );
}

function matchFits(match: HttpMatch, facts: RequestFacts): boolean {
  const path = facts.path.split('?')[0] ?? '/';
  if (!stringMatches(match.uri, path)) return false;
  if (!stringMatches(match.method, facts.method)) return false;
  if (!match.headers.every(([name, m]) => stringMatches(m, facts.headers[name]))) return false;
  return match.withoutHeaders.every(
    ([name, m]) => facts.headers[name] === undefined || !stringMatches(m, facts.headers[name]),
  );
}

export function matchRoute(
  vs: VirtualServiceConfig,
  facts: RequestFacts,
  site: RouteSite = { kind: 'mesh' },
): HttpRoute | undefined {
  return vs.http.find(
    (route) =>
      route.match.length === 0 || route.match.some((match) => siteFits(match, vs, site) && matchFits(match, facts)),
  );
}
