/**
 * VirtualService and DestinationRule specs → the typed config the lab's proxies act on.
 * Tolerant like istiod: a field the lab does not understand is ignored, not fatal.
 */
import { isRecord, isStringMap, type KubeObject } from '../api/object-types.js';
import { parseDurationMs } from '../api/field-checks.js';

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: RegExp;
}

export interface HttpMatch {
  uri?: StringMatch;
  method?: StringMatch;
  headers: [string, StringMatch][];
  withoutHeaders: [string, StringMatch][];
  /**
   * `match.gateways`: the block applies only at these gateways (`mesh` = sidecars); undefined =
   * the VirtualService's.
   */
  gateways?: string[];
}

interface RouteDestination {
  host: string;
  subset?: string;
  weight: number;
}

export interface RetryPolicy {
  attempts: number;
  perTryTimeoutMs?: number;
  retryOn: string[];
}

interface FaultPolicy {
  delay?: { ms: number; percent: number };
  abort?: { status: number; percent: number };
}

export interface HttpRoute {
  name?: string;
  match: HttpMatch[];
  route: RouteDestination[];
  timeoutMs?: number;
  retries?: RetryPolicy;
  fault?: FaultPolicy;
}

export interface VirtualServiceConfig {
  name: string;
  namespace: string;
  hosts: string[];
  gateways: string[];
  http: HttpRoute[];
}

export interface OutlierPolicy {
  consecutive5xx: number;
  consecutiveGateway: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionPercent: number;
  minHealthPercent: number;
}

export interface PoolPolicy {
  maxConnections: number;
  maxPending: number;
  maxRequests: number;
  maxRequestsPerConnection: number;
}

export interface TrafficPolicy {
  lb: 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM';
  localityEnabled: boolean;
  failover: { from: string; to: string }[];
  failoverPriority: string[];
  outlier?: OutlierPolicy;
  pool?: PoolPolicy;
  /** connectionPool.tcp.connectTimeout: how long a connection attempt may take (Istio's default: 10 s). */
  connectTimeoutMs?: number;
}

export interface DestinationRuleConfig {
  name: string;
  namespace: string;
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets: { name: string; labels: Record<string, string>; trafficPolicy?: TrafficPolicy }[];
}

/** Istio's default retry conditions: connection problems only (no status code is listed). */
export const defaultRetryOn = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function duration(value: unknown): number | undefined {
  return typeof value === 'string' ? parseDurationMs(value) : undefined;
}

function stringMatch(value: unknown): StringMatch | undefined {
  if (!isRecord(value)) return undefined;
  const match: StringMatch = {};
  if (typeof value.exact === 'string') match.exact = value.exact;
  if (typeof value.prefix === 'string') match.prefix = value.prefix;
  if (typeof value.regex === 'string') {
    try {
      // Envoy regexes are RE2 and anchored: match the whole value.
      match.regex = new RegExp(`^(?:${value.regex})$`);
    } catch {
      return undefined;
    }
  }
  return match;
}

function headerMatches(value: unknown): [string, StringMatch][] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([name, spec]) => {
    const match = stringMatch(spec);
    return match ? [[name.toLowerCase(), match] as [string, StringMatch]] : [];
  });
}

function percentOf(value: unknown): number {
  // An absent percentage means "every request" in the lab; Istio docs ask to always set it.
  if (isRecord(value) && typeof value.value === 'number') return value.value;
  return 100;
}

function parseRoute(value: unknown): HttpRoute | undefined {
  if (!isRecord(value)) return undefined;
  const match = Array.isArray(value.match)
    ? value.match.filter(isRecord).map((m) => ({
        uri: stringMatch(m.uri),
        method: stringMatch(m.method),
        headers: headerMatches(m.headers),
        withoutHeaders: headerMatches(m.withoutHeaders),
        ...(Array.isArray(m.gateways)
          ? { gateways: m.gateways.filter((g): g is string => typeof g === 'string') }
          : {}),
      }))
    : [];
  const route = Array.isArray(value.route)
    ? value.route.filter(isRecord).flatMap((d) => {
        const destination = isRecord(d.destination) ? d.destination : {};
        const host = str(destination.host);
        return host ? [{ host, subset: str(destination.subset), weight: num(d.weight, 0) }] : [];
      })
    : [];
  const result: HttpRoute = { match, route, name: str(value.name) };
  const timeout = duration(value.timeout);
  if (timeout !== undefined) result.timeoutMs = timeout;
  if (isRecord(value.retries)) {
    result.retries = {
      attempts: num(value.retries.attempts, 0),
      perTryTimeoutMs: duration(value.retries.perTryTimeout),
      retryOn: (str(value.retries.retryOn) ?? defaultRetryOn).split(',').map((s) => s.trim()),
    };
  }
  if (isRecord(value.fault)) {
    const fault: FaultPolicy = {};
    const delay = value.fault.delay;
    if (isRecord(delay) && duration(delay.fixedDelay) !== undefined)
      fault.delay = {
        ms: duration(delay.fixedDelay) ?? 0,
        percent: percentOf(
          delay.percentage ?? (typeof delay.percent === 'number' ? { value: delay.percent } : undefined),
        ),
      };
    const abort = value.fault.abort;
    if (isRecord(abort) && typeof abort.httpStatus === 'number')
      fault.abort = { status: abort.httpStatus, percent: percentOf(abort.percentage) };
    result.fault = fault;
  }
  return result;
}

export function parseVirtualService(object: KubeObject): VirtualServiceConfig {
  const spec = isRecord(object.spec) ? object.spec : {};
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? 'default',
    hosts: strings(spec.hosts),
    gateways: strings(spec.gateways),
    http: Array.isArray(spec.http)
      ? spec.http.map(parseRoute).filter((route): route is HttpRoute => route !== undefined)
      : [],
  };
}

function parsePolicy(value: unknown): TrafficPolicy | undefined {
  if (!isRecord(value)) return undefined;
  const lb = isRecord(value.loadBalancer) ? value.loadBalancer : {};
  const locality = isRecord(lb.localityLbSetting) ? lb.localityLbSetting : {};
  const policy: TrafficPolicy = {
    lb: lb.simple === 'ROUND_ROBIN' || lb.simple === 'RANDOM' ? lb.simple : 'LEAST_REQUEST',
    localityEnabled: locality.enabled !== false,
    failover: Array.isArray(locality.failover)
      ? locality.failover.filter(isRecord).map((f) => ({ from: str(f.from) ?? '', to: str(f.to) ?? '' }))
      : [],
    failoverPriority: Array.isArray(locality.failoverPriority)
      ? locality.failoverPriority.filter((p): p is string => typeof p === 'string')
      : [],
  };
  const outlier = value.outlierDetection;
  if (isRecord(outlier)) {
    policy.outlier = {
      consecutive5xx: num(outlier.consecutive5xxErrors ?? outlier.consecutiveErrors, 5),
      consecutiveGateway: num(outlier.consecutiveGatewayErrors, 0),
      intervalMs: duration(outlier.interval) ?? 10_000,
      baseEjectionMs: duration(outlier.baseEjectionTime) ?? 30_000,
      maxEjectionPercent: num(outlier.maxEjectionPercent, 10),
      minHealthPercent: num(outlier.minHealthPercent, 0),
    };
  }
  const pool = value.connectionPool;
  if (isRecord(pool)) {
    const http = isRecord(pool.http) ? pool.http : {};
    const tcp = isRecord(pool.tcp) ? pool.tcp : {};
    const unlimited = 2 ** 32 - 1;
    policy.pool = {
      maxConnections: num(tcp.maxConnections, unlimited),
      maxPending: num(http.http1MaxPendingRequests, unlimited),
      maxRequests: num(http.http2MaxRequests, unlimited),
      maxRequestsPerConnection: num(http.maxRequestsPerConnection, 0),
    };
    policy.connectTimeoutMs = duration(tcp.connectTimeout);
  }
  return policy;
}

export function parseDestinationRule(object: KubeObject): DestinationRuleConfig {
  const spec = isRecord(object.spec) ? object.spec : {};
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? 'default',
    host: str(spec.host) ?? '',
    trafficPolicy: parsePolicy(spec.trafficPolicy),
    subsets: Array.isArray(spec.subsets)
      ? spec.subsets.filter(isRecord).map((s) => ({
          name: str(s.name) ?? '',
          labels: isStringMap(s.labels) ? s.labels : {},
          trafficPolicy: parsePolicy(s.trafficPolicy),
        }))
      : [],
  };
}
