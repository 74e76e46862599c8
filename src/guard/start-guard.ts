/**
 * A guard over a set of clusters: per cluster a leader election (the chaos-guard Lease, also the
 * heartbeat runs read) and a cluster guard that acts only while elected; `/healthz` and `/metrics`.
 * Used by `chaos guard` and by `chaos lab up`, which runs one in process.
 */
import { defaultTiming } from '../run/session/fault-session.js';
import type { FaultTiming } from '../faults/fault-plugin.js';
import type { IstioConvergence } from '../environment/types.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import { startClusterGuard, type ClusterGuard } from './cluster-guard.js';
import { guardIdentity, startElection, type Election } from './guard-lease.js';
import { GuardMetrics, type ClusterCounters } from './guard-metrics.js';
import { serveGuardHttp, type GuardHttp } from './guard-http.js';

export interface GuardSettings {
  graceMs: number;
  leaseSeconds: number;
  resyncMs: number;
  address: string;
  timing?: Partial<FaultTiming>;
  identity?: string;
  /** The environment's Istio convergence (how a revert knows the data plane dropped a route). */
  istioConvergence?: IstioConvergence;
}

export const defaultGuardSettings: GuardSettings = {
  graceMs: 10_000,
  leaseSeconds: 15,
  resyncMs: 60_000,
  address: '127.0.0.1:0',
};

export interface RunningGuard {
  identity: string;
  url: string;
  metrics: GuardMetrics;
  stop(): Promise<void>;
}

export async function startGuard(
  apis: ClusterApis,
  settings: GuardSettings,
  log: (line: string) => void,
): Promise<RunningGuard> {
  const identity = settings.identity ?? guardIdentity();
  const metrics = new GuardMetrics();
  const elections: Election[] = [];
  const guards: ClusterGuard[] = [];
  const timing = { ...defaultTiming, ...settings.timing };
  for (const api of apis.values()) {
    const counters = metrics.of(api.cluster);
    const election = startElection({
      api,
      identity,
      leaseSeconds: settings.leaseSeconds,
      log,
      onLeader: (leader) => {
        counters.leader = leader;
        // The first call comes after a Lease round trip, when `guard` is set.
        if (leader) guard.poke();
      },
    });
    const guard = startClusterGuard({
      api,
      identity,
      graceMs: settings.graceMs,
      resyncMs: settings.resyncMs,
      leaseSeconds: settings.leaseSeconds,
      timing,
      ...(settings.istioConvergence ? { istioConvergence: settings.istioConvergence } : {}),
      counters,
      isLeader: () => election.isLeader(),
      log,
    });
    elections.push(election);
    guards.push(guard);
  }
  let http: GuardHttp | undefined;
  try {
    http = await serveGuardHttp(
      settings.address,
      () => guardHealth(metrics, identity, 3 * settings.resyncMs + timing.verifyTimeoutMs, Date.now()),
      () => metrics.render(),
    );
  } catch (error) {
    await stopAll(guards, elections);
    throw error;
  }
  const served = http;
  return {
    identity,
    url: served.url,
    metrics,
    stop: async () => {
      await served.close();
      await stopAll(guards, elections);
    },
  };
}

/**
 * Unhealthy (503, so a liveness probe restarts it) when a cluster it leads has had no finished pass
 * for longer than `staleMs` (three resyncs plus the longest verification a revert may wait) and no
 * object finished by the pass in progress either: verifying N reverts takes up to N verifications.
 */
export function guardHealth(
  metrics: GuardMetrics,
  identity: string,
  staleMs: number,
  now: number,
): { ok: boolean; text: string } {
  // A pass or, within a long one, the last object it finished: progress is not stuck.
  const lastSign = (c: ClusterCounters) => Math.max(c.lastPassAtMs ?? -Infinity, c.lastProgressAtMs ?? -Infinity);
  const stuck = [...metrics.clusters]
    .filter(([, c]) => c.leader && c.lastPassAtMs !== undefined && now - lastSign(c) > staleMs)
    .map(([cluster, c]) => `${cluster} (last pass ${Math.round((now - c.lastPassAtMs!) / 1000)}s ago)`);
  if (stuck.length > 0) return { ok: false, text: `stuck: ${identity}; no pass over ${stuck.join(', ')}` };
  return { ok: true, text: `ok: ${identity}; leading ${leading(metrics).join(', ') || 'no cluster'}` };
}

function leading(metrics: GuardMetrics): string[] {
  return [...metrics.clusters].filter(([, counters]) => counters.leader).map(([cluster]) => cluster);
}

async function stopAll(guards: readonly ClusterGuard[], elections: readonly Election[]): Promise<void> {
  await Promise.all(guards.map((guard) => guard.stop()));
  await Promise.all(elections.map((election) => election.stop()));
}
