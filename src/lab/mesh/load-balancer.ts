/**
 * One proxy's view of one upstream cluster (a Service, or a subset of it): which endpoint
 * gets the next request. Envoy's behaviour in the parts a resilience test sees: outlier
 * ejection after consecutive 5xx, locality priorities with failover (only when outlier
 * detection is configured, as Istio requires), the 1.4 overprovisioning factor that spills
 * traffic from a degraded locality, and least-request (power of two choices) by default.
 */
import type { Random } from '../random.js';
import type { ClusterLocality, MeshEndpoint } from './control-plane.js';
import type { OutlierPolicy, TrafficPolicy } from './istio-config.js';

interface HostHealth {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejectedUntil: number;
  ejections: number;
}

export type AttemptOutcome = { kind: 'status'; status: number } | { kind: 'failure' };

const overprovisioningFactor = 1.4;

export class UpstreamBalancer {
  private readonly active = new Map<string, number>();
  private readonly health = new Map<string, HostHealth>();
  private roundRobin = 0;

  constructor(
    private readonly local: ClusterLocality,
    private readonly random: Random,
  ) {}

  isEjected(endpoint: MeshEndpoint, now: number): boolean {
    return (this.health.get(endpoint.id)?.ejectedUntil ?? 0) > now;
  }

  begin(endpoint: MeshEndpoint): void {
    this.active.set(endpoint.id, (this.active.get(endpoint.id) ?? 0) + 1);
  }

  end(endpoint: MeshEndpoint): void {
    this.active.set(endpoint.id, Math.max(0, (this.active.get(endpoint.id) ?? 1) - 1));
  }

  /** Priority of an endpoint relative to this proxy: 0 is most local. */
  private priorityOf(endpoint: MeshEndpoint, policy: TrafficPolicy, localLabels: Record<string, string>): number {
    if (policy.failoverPriority.length > 0) {
      let matched = 0;
      for (const entry of policy.failoverPriority) {
        const [label, value] = entry.split('=') as [string, string | undefined];
        const wanted = value ?? localLabels[label];
        if (wanted === undefined || endpoint.labels[label] !== wanted) break;
        matched += 1;
      }
      return policy.failoverPriority.length - matched;
    }
    if (endpoint.region === this.local.region) return endpoint.zone === this.local.zone ? 0 : 1;
    const rule = policy.failover.findIndex((f) => f.from === this.local.region && f.to === endpoint.region);
    return rule >= 0 ? 2 + rule : 2 + policy.failover.length;
  }

  /** Candidates after locality: walk the priorities, spilling over as Envoy's overprovisioning does. */
  private byLocality(endpoints: MeshEndpoint[], healthy: MeshEndpoint[], policy: TrafficPolicy): MeshEndpoint[] {
    const localLabels = {
      'topology.istio.io/cluster': this.local.name,
      'topology.kubernetes.io/region': this.local.region,
      'topology.kubernetes.io/zone': this.local.zone,
    };
    const levels = [...new Set(endpoints.map((endpoint) => this.priorityOf(endpoint, policy, localLabels)))].sort(
      (a, b) => a - b,
    );
    for (const level of levels) {
      const all = endpoints.filter((endpoint) => this.priorityOf(endpoint, policy, localLabels) === level);
      const up = healthy.filter((endpoint) => this.priorityOf(endpoint, policy, localLabels) === level);
      const share = Math.min(1, (overprovisioningFactor * up.length) / Math.max(1, all.length));
      if (up.length > 0 && (share >= 1 || this.random.next() < share)) return up;
    }
    return healthy;
  }

  /** Forget Pods long gone (each new Pod has a new address), so a long game day stays small. */
  private prune(endpoints: readonly MeshEndpoint[]): void {
    if (this.health.size + this.active.size < 4 * endpoints.length + 64) return;
    const live = new Set(endpoints.map((endpoint) => endpoint.id));
    for (const map of [this.health, this.active])
      for (const id of map.keys()) if (!live.has(id) && (this.active.get(id) ?? 0) === 0) map.delete(id);
  }

  choose(
    endpoints: readonly MeshEndpoint[],
    policy: TrafficPolicy | undefined,
    exclude: ReadonlySet<string>,
    now: number,
  ): MeshEndpoint | undefined {
    if (endpoints.length === 0) return undefined;
    this.prune(endpoints);
    let healthy = endpoints.filter((endpoint) => !this.isEjected(endpoint, now));
    const minHealth = policy?.outlier?.minHealthPercent ?? 0;
    // Below the panic threshold Envoy balances over every host, ejected or not.
    if (healthy.length === 0 || (minHealth > 0 && (healthy.length * 100) / endpoints.length < minHealth))
      healthy = [...endpoints];
    let candidates =
      policy?.outlier && policy.localityEnabled ? this.byLocality([...endpoints], healthy, policy) : healthy;
    const fresh = candidates.filter((endpoint) => !exclude.has(endpoint.id));
    if (fresh.length > 0) candidates = fresh;
    switch (policy?.lb ?? 'LEAST_REQUEST') {
      case 'ROUND_ROBIN':
        this.roundRobin = (this.roundRobin + 1) % candidates.length;
        return candidates[this.roundRobin];
      case 'RANDOM':
        return candidates[Math.floor(this.random.next() * candidates.length)];
      default: {
        const a = candidates[Math.floor(this.random.next() * candidates.length)];
        const b = candidates[Math.floor(this.random.next() * candidates.length)];
        if (!a || !b) return a ?? b;
        return (this.active.get(b.id) ?? 0) < (this.active.get(a.id) ?? 0) ? b : a;
      }
    }
  }

  /** Outlier detection bookkeeping after an attempt; returns true when the host got ejected. */
  record(
    endpoint: MeshEndpoint,
    outcome: AttemptOutcome,
    outlier: OutlierPolicy | undefined,
    poolSize: number,
    now: number,
  ): boolean {
    if (!outlier) return false;
    const health = this.health.get(endpoint.id) ?? {
      consecutive5xx: 0,
      consecutiveGateway: 0,
      ejectedUntil: 0,
      ejections: 0,
    };
    this.health.set(endpoint.id, health);
    const status = outcome.kind === 'status' ? outcome.status : 503;
    if (status >= 500) health.consecutive5xx += 1;
    else health.consecutive5xx = 0;
    if (status === 502 || status === 503 || status === 504) health.consecutiveGateway += 1;
    else health.consecutiveGateway = 0;
    const tripped =
      (outlier.consecutive5xx > 0 && health.consecutive5xx >= outlier.consecutive5xx) ||
      (outlier.consecutiveGateway > 0 && health.consecutiveGateway >= outlier.consecutiveGateway);
    if (!tripped || health.ejectedUntil > now) return false;
    const ejected = [...this.health.values()].filter((h) => h.ejectedUntil > now).length;
    // Envoy ejects at least one host whatever max_ejection_percent says.
    if (ejected >= Math.max(1, Math.floor((poolSize * outlier.maxEjectionPercent) / 100))) return false;
    health.ejections += 1;
    health.ejectedUntil = now + outlier.baseEjectionMs * Math.min(health.ejections, 10);
    health.consecutive5xx = 0;
    health.consecutiveGateway = 0;
    return true;
  }
}
