/**
 * The settle check between the scenarios of a suite, so one scenario's aftermath never
 * pollutes the next: every Deployment and StatefulSet of the app namespace has its replicas
 * ready in every cluster, and a short probe through each ingress sees an error rate back at
 * the baseline measured before the first scenario. Bounded: a fixed number of requests per
 * probe, each with a timeout, probes one second apart, until the settle timeout.
 */
import { checkNamespacesReady } from '../../faults/readiness.js';
import type { ClusterApis } from '../../kube/cluster-api.js';
import { pause } from '../../system/sleep.js';
import { errorText } from '../../errors/errors.js';

export interface SettleTarget {
  apis: ClusterApis;
  namespace: string;
  ingressUrls: Record<string, string>;
  host?: string;
  path: string;
}

export interface ProbeResult {
  ingress: string;
  requests: number;
  failures: number;
  /** What the last failure was (status or error), for messages. */
  lastFailure?: string;
}

export interface SettleReport {
  settled: boolean;
  waitedMs: number;
  probes: number;
  /** Workloads not ready at the last look (empty when all are). */
  notReady: string[];
  /** The last probe of each ingress. */
  lastProbe: ProbeResult[];
  message: string;
}

export interface SettleOptions {
  timeoutMs: number;
  probeRequests: number;
  tolerance: number;
  /** Error rate per ingress measured before the first scenario. */
  baseline: readonly ProbeResult[];
  now?: () => number;
  pauseMs?: number;
  requestTimeoutMs?: number;
  /** A signal (SIGINT between scenarios) ends the wait at once, unsettled. */
  signal?: AbortSignal;
}

/** `requests` sequential requests through each ingress; a failure is no answer or a status ≥ 400, as for k6. */
export async function probeIngresses(
  target: SettleTarget,
  requests: number,
  requestTimeoutMs = 2_000,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const [ingress, url] of Object.entries(target.ingressUrls)) {
    const result: ProbeResult = { ingress, requests: 0, failures: 0 };
    for (let i = 0; i < requests; i += 1) {
      result.requests += 1;
      try {
        const response = await fetch(`${url.replace(/\/$/, '')}${target.path}`, {
          headers: target.host ? { host: target.host } : {},
          signal: AbortSignal.timeout(requestTimeoutMs),
          redirect: 'manual',
        });
        await response.arrayBuffer();
        if (response.status >= 400) {
          result.failures += 1;
          result.lastFailure = `HTTP ${response.status}`;
        }
      } catch (error) {
        result.failures += 1;
        result.lastFailure = errorText(error);
      }
    }
    results.push(result);
  }
  return results;
}

const rate = (probe: ProbeResult) => (probe.requests === 0 ? 0 : probe.failures / probe.requests);

/** Which ingresses are above their baseline error rate (plus the tolerance). */
export function ingressesAboveBaseline(
  probes: readonly ProbeResult[],
  baseline: readonly ProbeResult[],
  tolerance: number,
): ProbeResult[] {
  return probes.filter((probe) => {
    const before = baseline.find((b) => b.ingress === probe.ingress);
    return rate(probe) > (before ? rate(before) : 0) + tolerance;
  });
}

export async function settleEnvironment(target: SettleTarget, options: SettleOptions): Promise<SettleReport> {
  const now = options.now ?? Date.now;
  const started = now();
  let probes = 0;
  let notReady: string[] = [];
  let lastProbe: ProbeResult[] = [];
  const maxRounds = Math.ceil(options.timeoutMs / (options.pauseMs ?? 1_000)) + 1;
  for (let round = 0; round < maxRounds && !options.signal?.aborted; round += 1) {
    notReady = [];
    for (const [cluster, api] of target.apis) {
      try {
        const missing = await checkNamespacesReady(api, [target.namespace]);
        if (missing) notReady.push(`${cluster}: ${missing}`);
      } catch (error) {
        notReady.push(`${cluster}: ${errorText(error)}`);
      }
    }
    if (notReady.length === 0) {
      lastProbe = await probeIngresses(target, options.probeRequests, options.requestTimeoutMs);
      probes += 1;
      if (ingressesAboveBaseline(lastProbe, options.baseline, options.tolerance).length === 0) {
        return {
          settled: true,
          waitedMs: now() - started,
          probes,
          notReady,
          lastProbe,
          message: `settled after ${Math.round((now() - started) / 100) / 10}s (${probes} probe${probes === 1 ? '' : 's'})`,
        };
      }
    }
    if (now() - started >= options.timeoutMs) break;
    await pause(options.pauseMs ?? 1_000, options.signal);
  }
  if (options.signal?.aborted)
    return {
      settled: false,
      waitedMs: now() - started,
      probes,
      notReady,
      lastProbe,
      message: 'interrupted while waiting for the environment to settle',
    };
  const above = ingressesAboveBaseline(lastProbe, options.baseline, options.tolerance).map(
    (p) => `${p.ingress} ${p.failures}/${p.requests} failed${p.lastFailure ? ` (last: ${p.lastFailure})` : ''}`,
  );
  const what =
    notReady.length > 0 ? `not ready: ${notReady.join('; ')}` : `error rate above baseline: ${above.join('; ')}`;
  return {
    settled: false,
    waitedMs: now() - started,
    probes,
    notReady,
    lastProbe,
    message: `did not settle within ${Math.round(options.timeoutMs / 1000)}s: ${what}`,
  };
}
