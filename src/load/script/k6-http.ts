/**
 * What a user's script gets when it imports `k6/http` under the harness (src/load/user-script.ts
 * points the import here): k6/http itself — every export unchanged — whose request functions also
 * record each request in the compact record (chaos-k6.ts `recordStock`), with the script's own
 * response callbacks deciding what failed, as k6's http_req_failed does. The request itself is
 * sent exactly as the script wrote it.
 */
import k6http, {
  type BatchRequests,
  type RefinedParams,
  type RefinedResponse,
  type RequestBody,
  type ResponseType,
} from 'k6/http';
import { http as chaosHttp, recordStock, traced } from './chaos-k6.ts';

export * from 'k6/http';

type Params = RefinedParams<ResponseType | undefined> | null | undefined;
type Response = RefinedResponse<ResponseType | undefined>;

/** A URL as k6 takes it: a string, or what `http.url` tagged templates make. */
function urlText(target: unknown): string {
  if (typeof target === 'string') return target;
  const url = (target as { url?: unknown } | null)?.url;
  return typeof url === 'string' ? url : String(target);
}

/**
 * The script's params with the harness's trace context added (chaos-k6.ts `traced`: a sampled
 * W3C traceparent, unless the script set its own, and the run id as baggage).
 */
function withTrace(params: Params): RefinedParams<undefined> {
  return {
    ...(params ?? {}),
    headers: traced({ ...((params?.headers as Record<string, string>) ?? {}) }),
  } as RefinedParams<undefined>;
}

function sent<T extends Response>(
  method: string,
  target: unknown,
  params: Params,
  call: (p: RefinedParams<undefined>) => T,
): T {
  const traced = withTrace(params);
  const sentMs = Date.now();
  const response = call(traced);
  recordStock(method, urlText(target), params, sentMs, response);
  return response;
}

export function request(method: string, target: string, body?: RequestBody | null, params?: Params) {
  return sent(method, target, params, (p) => k6http.request(method, target, body, p));
}

export function get(target: string, params?: Params) {
  return sent('GET', target, params, (p) => k6http.get(target, p));
}

export function head(target: string, params?: Params) {
  return sent('HEAD', target, params, (p) => k6http.head(target, p));
}

export function options(target: string, body?: RequestBody | null, params?: Params) {
  return sent('OPTIONS', target, params, (p) => k6http.options(target, body, p));
}

export function post(target: string, body?: RequestBody | null, params?: Params) {
  return sent('POST', target, params, (p) => k6http.post(target, body, p));
}

export function put(target: string, body?: RequestBody | null, params?: Params) {
  return sent('PUT', target, params, (p) => k6http.put(target, body, p));
}

export function patch(target: string, body?: RequestBody | null, params?: Params) {
  return sent('PATCH', target, params, (p) => k6http.patch(target, body, p));
}

export function del(target: string, body?: RequestBody | null, params?: Params) {
  return sent('DELETE', target, params, (p) => k6http.del(target, body, p));
}

export function asyncRequest(method: string, target: string, body?: RequestBody | null, params?: Params) {
  const sentMs = Date.now();
  return k6http.asyncRequest(method, target, body, withTrace(params)).then((response: Response) => {
    recordStock(method, urlText(target), params, sentMs, response);
    return response;
  });
}

/** One batch entry as k6 reads it: a URL, [method, url, body, params] or {method, url, body, params}. */
function entryOf(entry: unknown): { method: string; url: unknown; params: Params } {
  if (Array.isArray(entry)) return { method: String(entry[0] ?? 'GET'), url: entry[1], params: entry[3] as Params };
  if (entry !== null && typeof entry === 'object' && 'url' in entry) {
    const { method, url, params } = entry as { method?: string; url: unknown; params?: Params };
    return { method: method ?? 'GET', url, params };
  }
  return { method: 'GET', url: entry, params: undefined };
}

export function batch(requests: BatchRequests) {
  const sentMs = Date.now();
  const responses = k6http.batch(requests) as unknown as Record<string, Response>;
  for (const [index, entry] of Object.entries(requests as Record<string, unknown>)) {
    const { method, url, params } = entryOf(entry);
    const response = responses[index];
    if (response) recordStock(method.toUpperCase(), urlText(url), params, sentMs, response);
  }
  return responses;
}

/** The harness must know what a response callback expects (k6's callbacks cannot be read back). */
export const expectedStatuses = chaosHttp.expectedStatuses;
export const setResponseCallback = chaosHttp.setResponseCallback;

export default {
  ...k6http,
  request,
  get,
  head,
  options,
  post,
  put,
  patch,
  del,
  asyncRequest,
  batch,
  expectedStatuses,
  setResponseCallback,
};
