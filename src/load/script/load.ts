/**
 * The k6 load script: one constant-arrival-rate scenario per ingress, so one hung gateway
 * cannot starve the other's virtual users. Runs inside k6 (types stripped by k6, checked by
 * `tsc -p src/load/script`), configured by the JSON file named in CHAOS_CONFIG.
 *
 * Every request adds one sample to `chaos_req` carrying everything the harness judges:
 * ingress, the cluster that served it (response header), status, path and failure. The
 * harness reads only these lines from k6's JSON output, so it never joins k6's 9 points per request.
 */
import http from 'k6/http';
import { Trend } from 'k6/metrics';
import exec from 'k6/execution';
import type { Options, Scenario } from 'k6/options';
import type { LoadScriptConfig } from './load-config.ts';

const config = JSON.parse(open(__ENV.CHAOS_CONFIG ?? '')) as LoadScriptConfig;
const requests = new Trend('chaos_req', true);
const servedByHeader = canonicalHeader(config.servedByHeader);

function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

function scenarioFor(ingress: LoadScriptConfig['ingresses'][number]): Scenario {
  return {
    executor: 'constant-arrival-rate',
    rate: Math.round(config.ratePerSecond * 1000),
    timeUnit: '1000s',
    duration: `${config.durationSeconds}s`,
    preAllocatedVUs: config.preAllocatedVUs,
    maxVUs: config.maxVUs,
    gracefulStop: `${Math.ceil(config.timeoutMs / 1000) + 1}s`,
    exec: 'hit',
    env: { CHAOS_INGRESS: ingress.name },
    tags: { ingress: ingress.name },
  };
}

export const options: Options = {
  discardResponseBodies: true,
  scenarios: Object.fromEntries(config.ingresses.map((ingress) => [ingress.name, scenarioFor(ingress)])),
  summaryTrendStats: ['med', 'p(95)', 'p(99)', 'max'],
};

const targets: Record<string, string> = Object.fromEntries(
  config.ingresses.map((ingress) => [ingress.name, ingress.url.replace(/\/$/, '')]),
);

export function hit(): void {
  const ingress = __ENV.CHAOS_INGRESS ?? '';
  const path = config.paths[exec.scenario.iterationInTest % config.paths.length] ?? '/';
  const headers: Record<string, string> = config.host ? { Host: config.host } : {};
  const response = http.request(config.method, `${targets[ingress]}${path}`, null, {
    headers,
    timeout: `${config.timeoutMs}ms`,
    tags: { name: path },
    redirects: 0,
  });
  const servedBy = response.headers[servedByHeader] ?? 'unknown';
  const failed = response.status === 0 || response.status >= 400;
  requests.add(response.timings.duration, {
    ingress,
    served_by: servedBy,
    status: String(response.status),
    path,
    failed: failed ? '1' : '0',
  });
}
