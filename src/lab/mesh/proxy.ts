/**
 * An Envoy-like proxy: the ingress gateway of a cluster, or the sidecar of one Pod. It takes
 * the route its own cluster's VirtualServices give (gateway-bound ones at the gateway, mesh
 * ones at sidecars), applies fault / timeout / retries, and sends each attempt to an endpoint
 * of the merged multi-cluster pool through the DestinationRule's balancer and circuit breakers.
 */
import { randomUUID } from 'node:crypto';
import type { Random } from '../random.js';
import type { ControlPlane, MeshEndpoint } from './control-plane.js';
import {
  defaultRetryOn,
  type DestinationRuleConfig,
  type HttpRoute,
  type RetryPolicy,
  type TrafficPolicy,
} from './istio-config.js';
import { UpstreamBalancer } from './load-balancer.js';
import { ConnectionPool } from './connection-pool.js';
import {
  appliesToMesh,
  gatewayHostSpecificity,
  isBoundToIngress,
  matchRoute,
  meshHostMatches,
  serviceKeyOf,
  type ServiceKey,
} from './route-match.js';
import { pause } from '../../system/sleep.js';
import { type AttemptResult, type MeshRequest, type MeshResponse, type UpstreamClient } from './upstream.js';

export interface ProxyOptions {
  /** Who answers when the proxy itself answers: the gateway, or the Pod of a sidecar. */
  id: string;
  cluster: string;
  kind: 'gateway' | 'sidecar';
  controlPlane: ControlPlane;
  upstream: UpstreamClient;
  random: Random;
  /** One-way latency of a hop to another cluster. */
  interRegionLatencyMs: number;
  stop: AbortSignal;
}

/**
 * Who sent a request to a Pod (`<cluster>/<gateway or Pod>`), for the Pod's access log: the
 * request header Istio's metadata exchange adds between proxies on plaintext HTTP (its value on
 * a real mesh is the caller's proxy id). Only the app sees it; no answer carries it.
 */
export const callerHeader = 'x-envoy-peer-metadata-id';

/** Istio's default connectionPool.tcp.connectTimeout. */
const defaultConnectTimeoutMs = 10_000;

const defaultRetries: RetryPolicy = { attempts: 2, retryOn: defaultRetryOn.split(',') };

interface Upstream {
  balancer: UpstreamBalancer;
  pool: ConnectionPool;
}

export class Proxy {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(private readonly options: ProxyOptions) {}

  /** A local reply (no upstream involved), shaped like Envoy's. */
  localReply(status: number, text: string, extra: Record<string, string> = {}): MeshResponse {
    return {
      status,
      headers: {
        'content-type': 'text/plain',
        server: 'istio-envoy',
        ...extra,
      },
      body: Buffer.from(text),
    };
  }

  /** Ingress: route by the request's authority through this cluster's gateway-bound VirtualServices. */
  async handleIngress(request: MeshRequest, authority: string): Promise<MeshResponse> {
    const config = this.options.controlPlane.config(this.options.cluster);
    const bound = config.virtualServices.filter((vs) => isBoundToIngress(vs, config.ingressGateways));
    const scored = bound
      .map((vs) => ({ vs, score: gatewayHostSpecificity(vs, authority) }))
      .filter((entry) => entry.score > 0);
    const best = Math.max(0, ...scored.map((entry) => entry.score));
    const facts = { method: request.method, path: request.path, headers: request.headers };
    for (const { vs } of scored.filter((entry) => entry.score === best)) {
      const route = matchRoute(vs, facts, { kind: 'gateway', ingressGateways: config.ingressGateways });
      if (route) return this.execute(route, vs.namespace, request);
    }
    return this.localReply(404, '');
  }

  /** Outbound from a Pod: mesh VirtualServices for the destination, else straight to the Service. */
  async call(destination: ServiceKey, request: MeshRequest): Promise<MeshResponse> {
    const vs = this.options.controlPlane
      .config(this.options.cluster)
      .virtualServices.find((candidate) => appliesToMesh(candidate) && meshHostMatches(candidate, destination));
    const [namespace = 'default', name = ''] = destination.split('/');
    if (!vs) return this.execute({ match: [], route: [{ host: name, weight: 100 }] }, namespace, request);
    const route = matchRoute(
      vs,
      { method: request.method, path: request.path, headers: request.headers },
      { kind: 'mesh' },
    );
    return route ? this.execute(route, vs.namespace, request) : this.localReply(404, '');
  }

  private async execute(route: HttpRoute, namespace: string, request: MeshRequest): Promise<MeshResponse> {
    const { random, stop } = this.options;
    if (route.fault?.delay && random.percent(route.fault.delay.percent)) await pause(route.fault.delay.ms, stop);
    if (route.fault?.abort && random.percent(route.fault.abort.percent))
      return this.localReply(route.fault.abort.status, 'fault filter abort');
    const destination = this.pickDestination(route);
    const service = destination ? serviceKeyOf(destination.host, namespace) : undefined;
    if (!destination || !service) return this.localReply(503, 'no healthy upstream');
    // Istio: "timeouts or retries will not be enabled when faults are enabled on the client side".
    const retries = route.fault ? { attempts: 0, retryOn: [] } : (route.retries ?? defaultRetries);
    const timeoutMs = route.fault ? undefined : route.timeoutMs;
    const headers = { ...request.headers, 'x-request-id': request.headers['x-request-id'] ?? randomUUID() };
    const outbound = { ...request, headers };
    // One signal per request: the lab stopping, or the route timeout, aborts the attempt in flight.
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    stop.addEventListener('abort', abort, { once: true });
    const timer = timeoutMs ? setTimeout(abort, timeoutMs) : undefined;
    try {
      const deadline = timeoutMs ? Date.now() + timeoutMs : undefined;
      const response = await this.attempts(service, destination.subset, outbound, retries, controller.signal, deadline);
      return timeoutMs && controller.signal.aborted && !stop.aborted
        ? this.localReply(504, 'upstream request timeout')
        : response;
    } finally {
      if (timer) clearTimeout(timer);
      stop.removeEventListener('abort', abort);
    }
  }

  private pickDestination(route: HttpRoute): HttpRoute['route'][number] | undefined {
    if (route.route.length <= 1) return route.route[0];
    const total = route.route.reduce((sum, d) => sum + d.weight, 0);
    let draw = this.options.random.next() * (total > 0 ? total : route.route.length);
    for (const destination of route.route) {
      draw -= total > 0 ? destination.weight : 1;
      if (draw < 0) return destination;
    }
    return route.route[route.route.length - 1];
  }

  private destinationRule(service: ServiceKey): DestinationRuleConfig | undefined {
    return this.options.controlPlane
      .config(this.options.cluster)
      .destinationRules.find((rule) => serviceKeyOf(rule.host, rule.namespace) === service);
  }

  private upstream(id: string): Upstream {
    let upstream = this.upstreams.get(id);
    if (!upstream) {
      const locality = this.options.controlPlane.locality(this.options.cluster);
      upstream = {
        balancer: new UpstreamBalancer(locality, this.options.random.fork(`lb/${id}`)),
        pool: new ConnectionPool(),
      };
      this.upstreams.set(id, upstream);
    }
    return upstream;
  }

  private retriable(result: AttemptResult, retryOn: readonly string[]): boolean {
    const has = (condition: string): boolean => retryOn.includes(condition);
    if (result.kind === 'failure') {
      if (result.reason === 'connect-failure' || result.reason === 'connect-timeout')
        return has('connect-failure') || has('reset') || has('5xx') || has('refused-stream');
      if (result.reason === 'timeout') return has('5xx') || has('gateway-error') || has('reset');
      return has('reset') || has('5xx');
    }
    const status = result.response.status;
    if (has('5xx') && status >= 500) return true;
    if (has('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
    if (has('retriable-4xx') && status === 409) return true;
    return retryOn.includes(String(status));
  }

  private async attempts(
    service: ServiceKey,
    subset: string | undefined,
    request: MeshRequest,
    retries: RetryPolicy,
    signal: AbortSignal,
    deadline: number | undefined,
  ): Promise<MeshResponse> {
    const rule = this.destinationRule(service);
    const subsetRule = subset ? rule?.subsets.find((s) => s.name === subset) : undefined;
    const policy: TrafficPolicy | undefined = subsetRule?.trafficPolicy ?? rule?.trafficPolicy;
    const { balancer, pool } = this.upstream(`${service}|${subset ?? ''}`);
    const tried = new Set<string>();
    const authority = service.split('/').reverse().join('.');
    for (let attempt = 0; ; attempt += 1) {
      const all = this.options.controlPlane.endpoints(service, this.options.cluster);
      const endpoints = subsetRule
        ? all.filter((e) => Object.entries(subsetRule.labels).every(([k, v]) => e.labels[k] === v))
        : all;
      const endpoint = balancer.choose(endpoints, policy, tried, Date.now());
      if (!endpoint) return this.localReply(503, 'no healthy upstream');
      const ticket = await pool.acquire(policy?.pool);
      if (ticket.kind === 'overflow') {
        return this.localReply(
          503,
          'upstream connect error or disconnect/reset before headers. reset reason: overflow',
          { 'x-envoy-overloaded': 'true' },
        );
      }
      tried.add(endpoint.id);
      const remaining = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
      const perTry =
        retries.perTryTimeoutMs !== undefined && remaining !== undefined
          ? Math.min(retries.perTryTimeoutMs, remaining)
          : (retries.perTryTimeoutMs ?? remaining);
      balancer.begin(endpoint);
      const result = await this.send(endpoint, { service, request, authority }, perTry, policy, signal);
      balancer.end(endpoint);
      ticket.release();
      balancer.record(
        endpoint,
        result.kind === 'response' ? { kind: 'status', status: result.response.status } : { kind: 'failure' },
        policy?.outlier,
        endpoints.length,
        Date.now(),
      );
      if (attempt < retries.attempts && !signal.aborted && this.retriable(result, retries.retryOn)) {
        // Envoy's default back-off: 25 ms base, exponential, fully jittered.
        await pause(this.options.random.next() * 25 * 2 ** attempt, signal);
        continue;
      }
      return this.withGatewayHeaders(this.toResponse(result), endpoint);
    }
  }

  private send(
    endpoint: MeshEndpoint,
    { service, request, authority }: { service: ServiceKey; request: MeshRequest; authority: string },
    timeoutMs: number | undefined,
    policy: TrafficPolicy | undefined,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const delay = endpoint.cluster === this.options.cluster ? 0 : this.options.interRegionLatencyMs;
    // A Pod of this cluster that is gone while this proxy still holds it (its istiod away): the
    // connection is never answered, and Envoy gives up at the cluster's connect timeout.
    if (delay === 0 && this.options.controlPlane.blackholed(endpoint, service))
      return this.unanswered(policy?.connectTimeoutMs ?? defaultConnectTimeoutMs, timeoutMs, signal);
    // A remote endpoint is reached through its cluster's east-west gateway: with no Pod behind
    // that gateway's address the connection fails after a round trip (Envoy's 503 UF).
    if (delay > 0 && !this.options.controlPlane.eastWestOpen(endpoint.cluster))
      return pause(2 * delay, signal).then((): AttemptResult => ({
        kind: 'failure',
        reason: 'connect-failure',
        message: `east-west gateway of ${endpoint.cluster}: connection refused`,
      }));
    const from = {
      ...request,
      headers: { ...request.headers, [callerHeader]: `${this.options.cluster}/${this.options.id}` },
    };
    return this.options.upstream.send(endpoint, from, authority, delay, timeoutMs, signal);
  }

  /** A connection attempt nobody answers: the per-try timeout, or else the connect timeout, ends it. */
  private async unanswered(
    connectTimeoutMs: number,
    timeoutMs: number | undefined,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const perTryFirst = timeoutMs !== undefined && timeoutMs < connectTimeoutMs;
    await pause(perTryFirst ? timeoutMs : connectTimeoutMs, signal);
    return perTryFirst || signal.aborted
      ? { kind: 'failure', reason: 'timeout', message: 'upstream request timeout' }
      : { kind: 'failure', reason: 'connect-timeout', message: 'connection timeout' };
  }

  /**
   * What EnvoyFilters add at the gateway (deploy/served-by-envoyfilter.yaml): Envoy's command
   * operators for the upstream host are the address of the endpoint the last attempt went to.
   */
  private withGatewayHeaders(response: MeshResponse, endpoint: MeshEndpoint): MeshResponse {
    if (this.options.kind !== 'gateway') return response;
    const added = this.options.controlPlane.config(this.options.cluster).gatewayResponseHeaders;
    if (added.length === 0) return response;
    const address = `${endpoint.ip}:${endpoint.port}`;
    const headers = { ...response.headers };
    for (const header of added)
      headers[header.name] = header.value.replace(/%UPSTREAM_(?:REMOTE_ADDRESS|HOST)%/g, address);
    return { ...response, headers };
  }

  private toResponse(result: AttemptResult): MeshResponse {
    if (result.kind === 'response') return result.response;
    switch (result.reason) {
      case 'timeout':
        return this.localReply(504, 'upstream request timeout');
      case 'connect-failure':
        return this.localReply(
          503,
          'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
        );
      case 'connect-timeout':
        return this.localReply(
          503,
          'upstream connect error or disconnect/reset before headers. reset reason: connection timeout',
        );
      case 'reset':
        return this.localReply(
          503,
          'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
        );
    }
  }
}
