/**
 * `chaos/k6`: the module a user's k6 script imports to know the ingress it runs against and to
 * send requests the harness can judge. Runs inside k6 (types stripped by k6; `chaos validate`
 * type-checks scripts against this file and @types/k6).
 *
 *   import { check } from 'k6';
 *   import { http, ingress } from 'chaos/k6';
 *   export default function () {
 *     const home = http.get('/home', { tags: { name: 'home' } });
 *     check(home, { 'balance shown': (r) => String(r.body).includes('Current Balance') });
 *   }
 *
 * `http` has k6/http's signatures; a path ("/home") is sent to the current ingress with the
 * environment's Host header, and every response adds one `chaos_req` sample carrying ingress,
 * serving cluster, status, name and the script's tags — the one stream budgets are judged on.
 */
import k6http, { type RefinedParams, type RefinedResponse, type RequestBody, type ResponseType } from 'k6/http';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import type { LoadScriptConfig } from './load-config.ts';

/** The ingress a request enters by: its logical name (central, west), base URL and Host header. */
export interface Ingress {
  name: string;
  baseUrl: string;
  host?: string;
}

export const config = JSON.parse(open(__ENV.CHAOS_CONFIG ?? '')) as LoadScriptConfig;
const requests = new Trend('chaos_req', true);
/** Set while the harness runs the script's setup for one ingress (setup runs outside scenarios). */
let setupIngress: string | undefined;

/** The ingress this iteration (or this setup call) runs against. */
export function ingress(): Ingress {
  const name = setupIngress ?? __ENV.CHAOS_INGRESS ?? config.ingresses[0]?.name ?? '';
  const found = config.ingresses.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`chaos/k6: no ingress named "${name}"`);
  return { name, baseUrl: found.url.replace(/\/$/, ''), host: config.host };
}

/** A path of the current ingress as a full URL; full URLs are left alone. */
export function url(pathOrUrl: string): string {
  return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${ingress().baseUrl}${pathOrUrl}`;
}

function headerOf(response: RefinedResponse<ResponseType | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The `served_by` tag of a response: a cluster name, `addr:<ip:port>` for the harness to map, or not measured. */
export function servedByOf(response: RefinedResponse<ResponseType | undefined>): string {
  const source = config.servedBy;
  switch (source.kind) {
    case 'none':
      return 'not measured';
    case 'header':
      return headerOf(response, source.header) ?? 'unknown';
    case 'upstream-address': {
      const address = headerOf(response, source.header);
      return address ? `addr:${address}` : 'unknown';
    }
    case 'body': {
      const match = new RegExp(source.pattern).exec(typeof response.body === 'string' ? response.body : '');
      return match?.[1] ?? 'unknown';
    }
  }
}

/**
 * Did the request reach a server? Not when k6 got no HTTP status because it could not connect:
 * a bad URL (1020), a DNS failure (1100–1199), a TCP dial failure such as connection refused
 * or a dial timeout (1200–1219). A request timeout (1050) or a reset after connecting (1220+)
 * did reach one.
 */
export function reachedServer(status: number, errorCode: number | undefined): boolean {
  if (status !== 0) return true;
  if (errorCode === undefined) return false;
  return !(errorCode === 1020 || (errorCode >= 1100 && errorCode < 1220));
}

/**
 * Record one request for the harness (the built-in script and `http` below both use this).
 * `sentMs`: Date.now() just before the request was sent; it travels as non-indexed metadata
 * (`sent_ms`), so the harness judges the request in the phase it was sent in.
 */
export function record(
  response: RefinedResponse<ResponseType | undefined>,
  method: string,
  path: string,
  tags: Record<string, string> = {},
  sentMs?: number,
): void {
  const failed = response.status === 0 || response.status >= 400;
  const metadata = exec.vu.metrics.metadata;
  if (sentMs !== undefined) metadata.sent_ms = String(sentMs);
  requests.add(response.timings.duration, {
    ...tags,
    ingress: ingress().name,
    served_by: servedByOf(response),
    status: String(response.status),
    method,
    path,
    name: tags.name ?? path,
    failed: failed ? '1' : '0',
    reached: reachedServer(response.status, response.error_code || undefined) ? '1' : '0',
  });
  delete metadata.sent_ms;
}

function pathOf(target: string): string {
  const withoutOrigin = target.replace(/^https?:\/\/[^/]+/, '');
  return (withoutOrigin.split('?')[0] ?? '') || '/';
}

function send<RT extends ResponseType | undefined>(
  method: string,
  target: string,
  body: RequestBody | null | undefined,
  params: RefinedParams<RT> | null | undefined,
): RefinedResponse<RT> {
  const host = ingress().host;
  const headers = { ...(host ? { Host: host } : {}), ...(params?.headers ?? {}) };
  const tags: Record<string, string> = { ...(params?.tags ?? {}) };
  const sentMs = Date.now();
  const response = k6http.request(method, url(target), body ?? null, {
    timeout: `${config.timeoutMs}ms`,
    ...(params ?? {}),
    headers,
  } as RefinedParams<RT>);
  record(response, method, pathOf(target), tags, sentMs);
  return response;
}

/** k6/http's request functions, sent to the current ingress and recorded for the harness. */
export const http = {
  request: <RT extends ResponseType | undefined>(
    method: string,
    target: string,
    body?: RequestBody | null,
    params?: RefinedParams<RT> | null,
  ) => send(method, target, body, params),
  get: <RT extends ResponseType | undefined>(target: string, params?: RefinedParams<RT> | null) =>
    send('GET', target, null, params),
  head: <RT extends ResponseType | undefined>(target: string, params?: RefinedParams<RT> | null) =>
    send('HEAD', target, null, params),
  post: <RT extends ResponseType | undefined>(
    target: string,
    body?: RequestBody | null,
    params?: RefinedParams<RT> | null,
  ) => send('POST', target, body, params),
  put: <RT extends ResponseType | undefined>(
    target: string,
    body?: RequestBody | null,
    params?: RefinedParams<RT> | null,
  ) => send('PUT', target, body, params),
  patch: <RT extends ResponseType | undefined>(
    target: string,
    body?: RequestBody | null,
    params?: RefinedParams<RT> | null,
  ) => send('PATCH', target, body, params),
  del: <RT extends ResponseType | undefined>(
    target: string,
    body?: RequestBody | null,
    params?: RefinedParams<RT> | null,
  ) => send('DELETE', target, body, params),
  /** The current VU's cookie jar (k6 keeps one per VU; each ingress has its own VUs). */
  cookieJar: () => k6http.cookieJar(),
};

// ---- Used by the harness's entry script (see src/load/user-script.ts), not by user scripts ----

/**
 * The run's scenarios: one constant-arrival-rate per ingress at the scenario's rate, or, when
 * the script declares its own `options.scenarios`, each of them once per ingress.
 */
export function harnessOptions(user: Options | undefined): Options {
  const perIngress = (name: string, scenario: Scenario): Scenario => ({
    ...scenario,
    exec: 'chaosIteration',
    env: { ...(scenario.env ?? {}), CHAOS_INGRESS: name },
    tags: { ...(scenario.tags ?? {}), ingress: name },
  });
  const own = user?.scenarios;
  const scenarios: Record<string, Scenario> = {};
  for (const { name } of config.ingresses) {
    if (own && Object.keys(own).length > 0) {
      for (const [id, scenario] of Object.entries(own)) scenarios[`${name}-${id}`] = perIngress(name, scenario);
    } else
      scenarios[name] = perIngress(name, {
        executor: 'constant-arrival-rate',
        rate: Math.round(config.ratePerSecond * 1000),
        timeUnit: '1000s',
        duration: `${config.durationSeconds}s`,
        preAllocatedVUs: config.preAllocatedVUs,
        maxVUs: config.maxVUs,
        gracefulStop: `${Math.ceil(config.timeoutMs / 1000) + 1}s`,
      });
  }
  const { scenarios: _own, thresholds: _thresholds, ...rest } = user ?? {};
  return { ...rest, scenarios };
}

/** The script's setup, once per ingress (its logins land in that ingress's data). */
export function setupPerIngress(setup: (() => unknown) | undefined): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (!setup) return data;
  for (const { name } of config.ingresses) {
    setupIngress = name;
    exec.vu.metrics.tags.ingress = name;
    try {
      data[name] = setup();
    } finally {
      setupIngress = undefined;
      delete exec.vu.metrics.tags.ingress;
    }
  }
  return data;
}

export function teardownPerIngress(teardown: ((data: unknown) => void) | undefined, data: Record<string, unknown>) {
  if (!teardown) return;
  for (const { name } of config.ingresses) {
    setupIngress = name;
    try {
      teardown(data[name]);
    } finally {
      setupIngress = undefined;
    }
  }
}

/** The data setup returned for the ingress of this iteration. */
export function dataForIteration(data: Record<string, unknown> | undefined): unknown {
  return data?.[ingress().name];
}
