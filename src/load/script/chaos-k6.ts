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
import k6http, {
  type ExpectedStatusesObject,
  type RefinedParams,
  type RefinedResponse,
  type RequestBody,
  type ResponseType,
} from 'k6/http';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import type { LoadScriptConfig } from './load-config.ts';
import { Recorder, type RecordKey } from './recorder.ts';

/** The ingress a request enters by: its logical name (central, west), base URL and Host header. */
export interface Ingress {
  name: string;
  baseUrl: string;
  host?: string;
}

export const config = JSON.parse(open(__ENV.CHAOS_CONFIG ?? '')) as LoadScriptConfig;
/**
 * With --raw-samples (config.raw) every request is also a `chaos_req` point and every iteration a
 * `chaos_iter` point in k6's JSON output, for audits; the compact record is judged either way.
 */
const requests = config.raw ? new Trend('chaos_req', true) : undefined;
const iterations = config.raw ? new Counter('chaos_iter') : undefined;
/** k6's console (its lines reach the harness: --console-output); the k6 types leave it to the DOM lib. */
declare const console: { warn(...data: unknown[]): void; log(...data: unknown[]): void };

let vuRecorder: Recorder | undefined;
/** This VU's compact record (script/recorder.ts): made on first use, since init code has no VU id. */
export function recorder(): Recorder {
  vuRecorder ??= new Recorder({
    vu: exec.vu.idInTest,
    epochMs: config.epochMs ?? 0,
    write: (line) => console.log(line),
    now: Date.now,
    flushMs: batchMs,
  });
  return vuRecorder;
}

/** The end of an iteration (or setup): write the batch if due, at once if this VU may now idle. */
export function endOfIteration(): void {
  if (!vuRecorder) return;
  vuRecorder.flushIfDue(mayIdle);
}

/**
 * Whether this VU may now wait longer than a batch's time before its next iteration: with idle
 * VUs, an arrival-rate executor hands the next iteration to one of them, so this VU waits about
 * idle VUs ÷ iterations per second. Its records are then written at once, not left behind; at
 * saturation nobody waits and records are batched.
 */
function mayIdle(): boolean {
  // Asked at most once a batch time: k6's instance counters cross into Go (≈ 20 µs a look).
  const now = Date.now();
  if (now - idleAskedAt < batchMs) return idleAnswer;
  idleAskedAt = now;
  try {
    const idle = exec.instance.vusInitialized - exec.instance.vusActive;
    const perSecond = Math.max(config.ratePerSecond * config.ingresses.length, 1e-3);
    idleAnswer = (idle / perSecond) * 1000 >= batchMs;
  } catch {
    idleAnswer = true; // setup and teardown run outside the scenarios
  }
  return idleAnswer;
}
let idleAskedAt = 0;
let idleAnswer = true;

/** How long a VU keeps its records before it writes them (script/recorder.ts). */
const batchMs = 200;

/** The name the harness records for the current ingress (setup runs with its own). */
export function ingressName(): string {
  return setupIngress ?? __ENV.CHAOS_INGRESS ?? config.ingresses[0]?.name ?? '';
}
/** What fitting the script's scenarios changed: printed once, by setup (init runs in every VU). */
const fitWarnings: string[] = [];
/** Set while the harness runs the script's setup for one ingress (setup runs outside scenarios). */
let setupIngress: string | undefined;

/**
 * What a stock k6 script reads to know where to send (per-scenario env, so each ingress's
 * scenario has its own): BASE_URL (the ingress's base URL, no trailing slash), HOST (the Host
 * header the environment's ingress expects, when it names one) and CHAOS_INGRESS (its name).
 * k6 applies a scenario's env when a VU starts an iteration, not while the script's top level
 * runs: read them inside the default function (or setup, which the harness runs per ingress).
 */
function ingressEnv(name: string): Record<string, string> {
  const found = config.ingresses.find((candidate) => candidate.name === name);
  return {
    CHAOS_INGRESS: name,
    BASE_URL: (found?.url ?? '').replace(/\/$/, ''),
    ...(config.host ? { HOST: config.host } : {}),
  };
}

/** Runs `call` with `__ENV` saying `name` (setup and teardown run outside the scenarios). */
function withIngressEnv<T>(name: string, call: () => T): T {
  const names = ['CHAOS_INGRESS', 'BASE_URL', 'HOST'];
  const saved = names.map((key) => __ENV[key]);
  Object.assign(__ENV, ingressEnv(name));
  try {
    return call();
  } finally {
    names.forEach((key, i) => {
      if (saved[i] === undefined) delete __ENV[key];
      else __ENV[key] = saved[i];
    });
  }
}

/** The ingress this iteration (or this setup call) runs against. */
export function ingress(): Ingress {
  const name = ingressName();
  const found = config.ingresses.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`chaos/k6: no ingress named "${name}"`);
  return { name, baseUrl: found.url.replace(/\/$/, ''), host: config.host };
}

/** A path of the current ingress as a full URL; full URLs are left alone. */
export function url(pathOrUrl: string): string {
  return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${ingress().baseUrl}${pathOrUrl}`;
}

/** Eight random hex digits. */
const hex8 = (): string =>
  Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
/**
 * Per VU, a random 16-digit prefix for trace ids and an 8-digit one for span ids; each request
 * adds a counter. Ids stay unique (a VU's prefix is random, its counter never repeats) at a
 * fraction of the cost of 24 random digits per request in k6's JavaScript engine.
 */
let tracePrefix: string | undefined;
const baggage = `chaos.run_id=${config.runId ?? ''}`;
let spanPrefix = '';
let traceCount = 0;

/**
 * The one place every request the harness sends gets its trace context: a W3C `traceparent`
 * (version 00, a new random trace id, a parent id, flags 01 = sampled) and the run id as W3C
 * `baggage` (`chaos.run_id`). The trace id goes into the record of the request when it failed
 * (and, with --raw-samples, on this VU's k6 points as metadata `trace_id`), so the harness can
 * list the trace ids of failed requests per window.
 */
/** The trace id of this VU's last request (`traced`), recorded with it when it failed. */
let lastTraceId: string | undefined;

export function traced(headers: Record<string, string>): Record<string, string> {
  if (tracePrefix === undefined) {
    tracePrefix = `${hex8()}${hex8()}`;
    spanPrefix = hex8();
  }
  traceCount += 1;
  // Never all zeros (invalid): the counter is at least 1.
  const count = traceCount.toString(16).padStart(8, '0');
  const traceId = `${tracePrefix}${count}${count}`;
  // A traceparent the script sets itself wins; its trace id is the one recorded.
  const own = headers.traceparent ?? headers.Traceparent ?? headers.TraceParent;
  lastTraceId = own === undefined ? traceId : (/^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(String(own))?.[1] ?? traceId);
  if (config.raw) exec.vu.metrics.metadata.trace_id = lastTraceId;
  // Built field by field: object spreads cost in k6's interpreter, and this runs for every request.
  const out: Record<string, string> = {};
  if (own === undefined) out.traceparent = `00-${traceId}-${spanPrefix}${count}-01`;
  if (config.runId) out.baggage = baggage;
  for (const name in headers) out[name] = headers[name]!;
  return out;
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

/** Statuses a response may have and not count as failed: k6's default, 200–399 (its expected_response). */
export type ExpectedStatuses = Array<number | ExpectedStatusesObject>;
const k6Default: ExpectedStatuses = [{ min: 200, max: 399 }];
/** What each callback made by `http.expectedStatuses` expects: k6's callbacks cannot be read back. */
const expectationsOf = new Map<object, ExpectedStatuses>();
/** The script's `http.setResponseCallback`; null: no response counts as failed (k6 then records none). */
let expectedByDefault: ExpectedStatuses | null = k6Default;

/** Is this status expected (k6's expected_response)? A request that got no status (0) never is. */
export function isExpected(status: number, expected: ExpectedStatuses | null): boolean {
  if (expected === null) return status !== 0;
  return expected.some((entry) =>
    typeof entry === 'number' ? status === entry : status >= entry.min && status <= entry.max,
  );
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
  expected: ExpectedStatuses | null = expectedByDefault,
): void {
  // http_req_failed as k6 means it: not one of the expected statuses (default 200–399).
  const failed = !isExpected(response.status, expected);
  const reached = reachedServer(response.status, response.error_code || undefined);
  const servedBy = servedByOf(response);
  const name = tags.name ?? path;
  const sent = sentMs ?? Date.now() - response.timings.duration;
  // The script's own tags but `name` (which the key has): none on the built-in load's hot path.
  let own: Record<string, string> | undefined;
  for (const tag in tags) if (tag !== 'name') (own ??= {})[tag] = tags[tag]!;
  const ingress = ingressName();
  const hasTags = own !== undefined;
  const key = (): Extract<RecordKey, { t: 'r' }> => ({
    t: 'r',
    ingress,
    servedBy,
    name,
    method,
    path,
    ...(own ? { tags: own } : {}),
  });
  // Without tags of its own, a request's key is told by a string: no JSON per request.
  const same = hasTags ? undefined : `r\u0000${ingress}\u0000${servedBy}\u0000${name}\u0000${method}\u0000${path}`;
  const log = recorder();
  const flags = (failed ? 1 : 0) | (reached ? 2 : 0);
  log.request(key, sent, response.timings.duration, response.status, flags, same, failed ? lastTraceId : undefined);
  lastTraceId = undefined;
  // A slow request: the service is slow, so the next may be too; its record must not wait through it.
  if (response.timings.duration >= batchMs) log.flush();
  else log.flushIfDue();
  if (!requests) return;
  const metadata = exec.vu.metrics.metadata;
  if (sentMs !== undefined) metadata.sent_ms = String(sentMs);
  requests.add(response.timings.duration, {
    ...tags,
    ingress,
    served_by: servedBy,
    status: String(response.status),
    method,
    path,
    name,
    failed: failed ? '1' : '0',
    reached: reached ? '1' : '0',
  });
  delete metadata.sent_ms;
}

/**
 * Metadata on k6's http_req_* samples of a request that `http` below also recorded as chaos_req;
 * the harness reads a stock k6/http request's http_req_duration only when it lacks this.
 */
export const recordedMark = 'chaos_recorded';

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
  const headers = traced({ ...(host ? { Host: host } : {}), ...(params?.headers ?? {}) });
  const tags: Record<string, string> = { ...scriptTags(), ...(params?.tags ?? {}) };
  const sentMs = Date.now();
  // In k6's raw output, its own samples of this request say it was recorded here (chaos_req), so
  // an audit of the raw output does not count it twice.
  const metadata = config.raw ? exec.vu.metrics.metadata : undefined;
  if (metadata) metadata[recordedMark] = '1';
  let response: RefinedResponse<RT>;
  try {
    response = k6http.request(method, url(target), body ?? null, {
      timeout: `${config.timeoutMs}ms`,
      ...(params ?? {}),
      headers,
    } as RefinedParams<RT>);
  } finally {
    if (metadata) delete metadata[recordedMark];
  }
  record(response, method, pathOf(target), tags, sentMs, expectationOf(params?.responseCallback));
  return response;
}

/** What a request expects: its own response callback's statuses, or the script's default. */
function expectationOf(callback: unknown): ExpectedStatuses | null {
  return callback ? (expectationsOf.get(callback as object) ?? expectedByDefault) : expectedByDefault;
}

/**
 * A request a user's script sent through k6/http itself (the harness points its `k6/http` import
 * at script/k6-http.ts, which calls this): recorded as k6 names it — its `name` tag defaults to
 * the URL — with the scenario's, the VU's and the request's own tags.
 */
export function recordStock(
  method: string,
  target: string,
  params: { tags?: Record<string, string>; responseCallback?: unknown } | null | undefined,
  sentMs: number,
  response: RefinedResponse<ResponseType | undefined>,
): void {
  const tags: Record<string, string> = { ...scriptTags(), ...(params?.tags ?? {}) };
  tags.name ??= target;
  record(response, method.toUpperCase(), pathOf(target), tags, sentMs, expectationOf(params?.responseCallback));
}

/** Tags the harness sets or k6 adds as system tags: never a script's own. */
const harnessTags = new Set(['ingress', 'scenario', 'group', 'vu', 'iter', 'service', 'name']);
let withScriptTags = false;

/**
 * The tags k6 puts on every sample of this VU (its scenario's `tags` and `exec.vu.metrics.tags`)
 * that are the script's own, as a point in k6's output would carry them; only for a user's script.
 */
export function scriptTags(): Record<string, string> {
  if (!withScriptTags) return {};
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(exec.vu.metrics.tags)) if (!harnessTags.has(key)) own[key] = String(value);
  return own;
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
  /** k6's expectedStatuses; the harness remembers what it expects, so its failures follow k6's. */
  expectedStatuses: (...statuses: ExpectedStatuses) => {
    const callback = k6http.expectedStatuses(...statuses);
    expectationsOf.set(callback as object, statuses);
    return callback;
  },
  /** k6's setResponseCallback (null: nothing fails); pass one made by `http.expectedStatuses` above. */
  setResponseCallback: (callback: ReturnType<typeof k6http.expectedStatuses> | null) => {
    k6http.setResponseCallback(callback as ReturnType<typeof k6http.expectedStatuses>);
    expectedByDefault = callback === null ? null : (expectationsOf.get(callback as object) ?? k6Default);
  },
};

// ---- Used by the harness's entry script (see src/load/user-script.ts), not by user scripts ----

/** Mark an iteration's start (its time is the point's; the scenario's tags carry the ingress). */
export function markIteration(): void {
  recorder().iteration(ingressName(), Date.now());
  iterations?.add(1, { ingress: ingressName() });
}

/** The script module as the entry script imports it (`import * as user`). */
export type UserModule = { options?: Options; default?: unknown } & Record<string, unknown>;

/**
 * The run's scenarios: one constant-arrival-rate per ingress at the scenario's rate, or, when
 * the script declares its own `options.scenarios`, each of them once per ingress
 * (`<ingress>-<id>`), fitted to the run, calling the function it names in `exec` (default:
 * `default`) through `chaosIteration`, which reads that name from the scenario's env.
 */
export function harnessOptions(user: UserModule | undefined): Options {
  withScriptTags = user !== undefined;
  const perIngress = (name: string, scenario: Scenario, target?: string): Scenario => ({
    ...scenario,
    exec: 'chaosIteration',
    env: { ...(scenario.env ?? {}), ...ingressEnv(name), ...(target ? { CHAOS_EXEC: target } : {}) },
    // k6 puts a scenario's tags on every sample of it, a stock k6/http request's included.
    tags: { ...(scenario.tags ?? {}), ingress: name },
  });
  const own = Object.entries(user?.options?.scenarios ?? {}).map(([id, scenario]) => {
    const target = scenario.exec ?? 'default';
    if (typeof user?.[target] !== 'function')
      throw new Error(`chaos/k6: options.scenarios.${id}.exec: the script exports no function '${target}'`);
    return { id, scenario: fitScenario(id, scenario), target };
  });
  const scenarios: Record<string, Scenario> = {};
  for (const { name } of config.ingresses) {
    for (const { id, scenario, target } of own) scenarios[`${name}-${id}`] = perIngress(name, scenario, target);
    if (own.length === 0)
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
  const { scenarios: _own, thresholds: _thresholds, ...rest } = user?.options ?? {};
  // k6 emits dropped iterations outside any VU, so no record has them: the harness reads them per
  // scenario from k6's REST API, where a sub-metric exists only when a threshold names it (always met).
  const thresholds = Object.fromEntries(
    Object.keys(scenarios).map((name) => [`dropped_iterations{scenario:${name}}`, ['count>=0']]),
  );
  return { ...rest, scenarios, thresholds };
}

/** One iteration of a script's scenario: the function its `exec` names, with its ingress's setup data. */
export function runIteration(user: UserModule, data: Record<string, unknown> | undefined): unknown {
  markIteration();
  const run = user[__ENV.CHAOS_EXEC ?? 'default'] as (data: unknown) => unknown;
  let result: unknown;
  try {
    result = run(dataForIteration(data));
  } catch (error) {
    endOfIteration();
    throw error;
  }
  // An async iteration ends when its promise settles.
  if (result instanceof Promise)
    return result.then(
      (value) => {
        endOfIteration();
        return value;
      },
      (error: unknown) => {
        endOfIteration();
        throw error;
      },
    );
  endOfIteration();
  return result;
}

/** A k6 duration ("1m30s", "500ms", or a number of milliseconds) in seconds. */
export function secondsOf(value: string | number | undefined): number {
  if (typeof value === 'number') return value / 1000;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let seconds = 0;
  for (const [, amount, suffix] of (value ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g))
    seconds += Number(amount) * (unit[suffix!] ?? 0);
  return seconds;
}

/**
 * A script's scenario fitted to the run, so its load neither stops before the phases end nor
 * keeps a shape the run cannot show. The harness stops k6 when the timeline ends (which can be
 * later than planned: applies and reverts take time), so k6 must not end first:
 * - constant-vus, constant-arrival-rate: the run decides how long, as for the built-in load;
 * - ramping-vus, ramping-arrival-rate: the stages (with startTime) must last the phases; the
 *   last target is then held until the harness stops k6; longer stages are cut (a warning);
 * - iteration executors end when their iterations are done, not with the run: refused.
 */
export function fitScenario(id: string, scenario: Scenario): Scenario {
  const phases = config.phasesSeconds ?? config.durationSeconds;
  const at = `chaos/k6: options.scenarios.${id}`;
  const start = secondsOf(scenario.startTime);
  if (scenario.executor === 'constant-vus' || scenario.executor === 'constant-arrival-rate') {
    if (Math.abs(start + secondsOf(scenario.duration) - phases) > 0.5)
      fitWarnings.push(
        `${at}.duration: ${scenario.duration} (from ${start}s) replaced by the run's: the load lasts until the phases end (${phases}s)`,
      );
    return { ...scenario, duration: `${Math.max(config.durationSeconds - start, 1)}s` };
  }
  if (scenario.executor === 'ramping-vus' || scenario.executor === 'ramping-arrival-rate') {
    const stages = scenario.stages;
    const total = start + stages.reduce((sum, stage) => sum + secondsOf(stage.duration), 0);
    if (total + 0.5 < phases)
      throw new Error(
        `${at}.stages: they last ${total}s (startTime included) but the run's phases last ${phases}s, so the load would stop ${phases - total}s early; make the stages last ${phases}s`,
      );
    if (total > phases + 0.5)
      fitWarnings.push(`${at}.stages: they last ${total}s; the run stops them when its phases end (${phases}s)`);
    const hold = { duration: `${config.durationSeconds}s`, target: stages[stages.length - 1]?.target ?? 0 };
    return { ...scenario, stages: [...stages, hold] };
  }
  throw new Error(
    `${at}.executor: ${scenario.executor} ends when its iterations are done, not with the run's phases (${phases}s); use constant-arrival-rate, constant-vus, ramping-arrival-rate or ramping-vus`,
  );
}

/** The script's setup, once per ingress (its logins land in that ingress's data). */
export function setupPerIngress(setup: (() => unknown) | undefined): Record<string, unknown> {
  for (const warning of fitWarnings) console.warn(warning);
  const data: Record<string, unknown> = {};
  if (!setup) return data;
  for (const { name } of config.ingresses) {
    setupIngress = name;
    exec.vu.metrics.tags.ingress = name;
    try {
      data[name] = withIngressEnv(name, setup);
    } finally {
      setupIngress = undefined;
      delete exec.vu.metrics.tags.ingress;
    }
  }
  vuRecorder?.flush();
  return data;
}

export function teardownPerIngress(teardown: ((data: unknown) => void) | undefined, data: Record<string, unknown>) {
  if (!teardown) return;
  for (const { name } of config.ingresses) {
    setupIngress = name;
    try {
      withIngressEnv(name, () => teardown(data[name]));
    } finally {
      setupIngress = undefined;
    }
  }
  vuRecorder?.flush();
}

/** The data setup returned for the ingress of this iteration. */
export function dataForIteration(data: Record<string, unknown> | undefined): unknown {
  return data?.[ingress().name];
}
