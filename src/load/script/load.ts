/**
 * The built-in k6 load script (used when a scenario names no `load.script`): one
 * constant-arrival-rate scenario per ingress, so one hung gateway cannot starve the other's
 * virtual users, each GETting (or the scenario's method) the scenario's paths in turn. Runs
 * inside k6 (types stripped by k6, checked by `tsc -p src/load/script`), configured by the
 * JSON file named in CHAOS_CONFIG.
 *
 * Every request adds one sample to `chaos_req` (chaos-k6.ts `record`) carrying everything the
 * harness judges: ingress, the cluster that served it, status, path and failure. The harness
 * reads only these lines from k6's JSON output, so it never joins k6's 9 points per request.
 */
import k6http from 'k6/http';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { config, endOfIteration, harnessOptions, markIteration, record, traced, url } from './chaos-k6.ts';

export const options: Options = {
  // Bodies are read only when the served-by mechanism reads them.
  discardResponseBodies: config.servedBy.kind !== 'body',
  ...harnessOptions(undefined),
  summaryTrendStats: ['med', 'p(95)', 'p(99)', 'max'],
};

export function chaosIteration(): void {
  markIteration();
  const path = config.paths[exec.scenario.iterationInTest % config.paths.length] ?? '/';
  const headers = traced(config.host ? { Host: config.host } : {});
  const sentMs = Date.now();
  const response = k6http.request(config.method, url(path), null, {
    headers,
    timeout: `${config.timeoutMs}ms`,
    tags: { name: path },
    redirects: 0,
  });
  record(response, config.method, path, {}, sentMs);
  endOfIteration();
}
