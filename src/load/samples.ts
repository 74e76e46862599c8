/**
 * k6 JSON output → samples. Only a few kinds of line matter: our `chaos_req` points (one per
 * request, see script/chaos-k6.ts) and `chaos_iter` points (one at the start of each iteration),
 * `dropped_iterations`, and — for a user's script — `checks`
 * and the custom metrics it declares. Every other line is skipped by a prefix test, without
 * JSON.parse: that is what keeps ingestion far faster than k6 writes.
 */
import { servedByNotMeasured, type LoadSample } from '../budgets/sample.js';
import { HarnessError } from '../errors/errors.js';

const requestPrefix = '{"metric":"chaos_req","type":"Point"';
const droppedPrefix = '{"metric":"dropped_iterations","type":"Point"';
const checksPrefix = '{"metric":"checks","type":"Point"';
/**
 * Metadata chaos/k6's `http` puts on k6's own samples of a request it records as chaos_req
 * (`recordedMark` in script/chaos-k6.ts, which runs inside k6 and imports nothing of ours).
 */
const recordedMark = 'chaos_recorded';
/** A stock k6/http request: one of its nine points, the one that has the duration. */
const stockPrefix = '{"metric":"http_req_duration","type":"Point"';
const iterationPrefix = '{"metric":"chaos_iter","type":"Point"';

/** Tags the harness puts on a request itself; every other tag is the script's own. */
const ownTags = new Set([
  'ingress',
  'served_by',
  'status',
  'path',
  'failed',
  'name',
  'method',
  'scenario',
  'check',
  'reached',
  // k6's own request tags (a stock k6/http request, stockHttpTags in k6-args.ts)
  'url',
  'expected_response',
  'error_code',
]);

interface PointLine {
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string>; metadata?: Record<string, string> };
}

export interface SampleParser {
  (line: string): LoadSample | undefined;
}

/**
 * A parser for one run. `metrics`: the script's custom metrics to keep; `servedBy`: maps a raw
 * `served_by` tag (a cluster name, or `addr:<ip:port>` from the mesh's upstream header) to a cluster.
 */
export function sampleParser(
  options: {
    metrics?: readonly string[];
    servedBy?: (raw: string) => string;
    /** A user's script: its own k6/http requests are read from k6's http_req_duration. */
    stockHttp?: boolean;
  } = {},
): SampleParser {
  const prefixes = (options.metrics ?? []).map((metric) => `{"metric":"${metric}","type":"Point"`);
  const mapServedBy = options.servedBy ?? ((raw: string) => raw);
  return (line) => {
    const isRequest = line.startsWith(requestPrefix);
    const isIteration = !isRequest && line.startsWith(iterationPrefix);
    const isDropped = !isRequest && !isIteration && line.startsWith(droppedPrefix);
    const isCheck = !isRequest && !isIteration && !isDropped && line.startsWith(checksPrefix);
    const isStock = options.stockHttp === true && !isRequest && line.startsWith(stockPrefix);
    if (isStock) return stockRequest(line);
    const isMetric =
      !isRequest && !isIteration && !isDropped && !isCheck && prefixes.some((prefix) => line.startsWith(prefix));
    if (!isRequest && !isIteration && !isDropped && !isCheck && !isMetric) return undefined;
    const parsed = readPoint(line);
    if (!parsed) return undefined;
    const { point, data, timeMs } = parsed;
    const tags = data.tags ?? {};
    if (isDropped || isIteration)
      return {
        kind: isDropped ? 'dropped' : 'iteration',
        timeMs,
        ingress: tags.ingress ?? tags.scenario ?? 'unknown',
        count: point.data.value,
      };
    const own = scriptTags(tags);
    const ingress = tags.ingress ?? 'unknown';
    if (isCheck)
      return {
        kind: 'check',
        // With the request it checks: the send time its metadata carries (chaos's k6 wrapper).
        timeMs: metadataMs(data, 'sent_ms') ?? timeMs,
        ingress,
        check: tags.check ?? '',
        passed: point.data.value !== 0,
        tags: own,
      };
    if (isMetric)
      return {
        kind: 'metric',
        // Where the compact record places it (chaos's k6/metrics wrapper).
        timeMs: metadataMs(data, 'at_ms') ?? timeMs,
        ingress,
        metric: point.metric,
        value: point.data.value,
        tags: own,
      };
    const path = tags.path ?? '';
    return {
      kind: 'request',
      timeMs,
      ingress,
      servedBy: mapServedBy(tags.served_by ?? 'unknown'),
      status: Number(tags.status ?? 0),
      path,
      failed: tags.failed === '1',
      durationMs: point.data.value,
      sentMs: metadataMs(data, 'sent_ms') ?? timeMs - point.data.value,
      // Streams written before the script said so: a request with an HTTP status reached a server.
      reached: tags.reached === undefined ? tags.status !== '0' : tags.reached === '1',
      name: tags.name ?? path,
      ...(tags.method ? { method: tags.method } : {}),
      ...(own ? { tags: own } : {}),
      ...(data.metadata?.trace_id ? { traceId: data.metadata.trace_id } : {}),
    };
  };
}

/** A time in milliseconds that chaos's k6 modules put in a point's metadata; undefined without one. */
function metadataMs(data: PointLine['data'], key: 'sent_ms' | 'at_ms'): number | undefined {
  const text = data.metadata?.[key];
  const ms = Number(text);
  return text && Number.isFinite(ms) ? ms : undefined;
}

/** One point line; undefined for a truncated line, an error for a whole line k6 does not write. */
function readPoint(line: string): { point: PointLine; data: PointLine['data']; timeMs: number } | undefined {
  let point: PointLine;
  try {
    point = JSON.parse(line) as PointLine;
  } catch {
    return undefined;
  }
  // A whole line that is not what k6 writes is not a sample to skip silently: the run cannot be judged.
  const data = (point as Partial<PointLine>).data;
  const timeMs = Date.parse(data?.time ?? '');
  if (!data || typeof data.value !== 'number' || !Number.isFinite(data.value) || !Number.isFinite(timeMs))
    throw new HarnessError(
      `k6 wrote a ${point.metric ?? 'sample'} line the harness cannot read (a point needs data.time and a numeric data.value): ${line.slice(0, 200)}`,
      'a truncated last line is skipped, a malformed one is not',
    );
  return { point, data, timeMs };
}

/**
 * A stock k6/http request (a user's script sending through k6/http itself), from k6's own
 * http_req_duration point: its ingress is the `ingress` tag the harness puts on each ingress's
 * scenario; failed is k6's http_req_failed — `expected_response` (the script's response callback,
 * k6's default 200–399) — and only without that tag (a script that set the callback to null, so
 * k6 records no http_req_failed) k6's default rule. Its send time is end − duration: k6 stamps the
 * end and its duration leaves out the wait for a connection (blocked + connecting), so a request
 * is placed at most that early. The serving cluster is not measured (its headers are not in
 * k6's samples; chaos/k6's `http` records it). Requests chaos/k6 recorded itself are skipped.
 */
function stockRequest(line: string): LoadSample | undefined {
  const parsed = readPoint(line);
  if (!parsed || parsed.data.metadata?.[recordedMark] !== undefined) return undefined;
  const { data, timeMs } = parsed;
  const tags = data.tags ?? {};
  const status = Number(tags.status ?? 0);
  const url = tags.url ?? '';
  const path = /^https?:\/\//.test(url) ? (url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '') || '/' : url;
  const errorCode = tags.error_code === undefined ? undefined : Number(tags.error_code);
  const own = scriptTags(tags);
  return {
    kind: 'request',
    timeMs,
    ingress: tags.ingress ?? 'unknown',
    servedBy: servedByNotMeasured,
    status,
    path,
    failed: tags.expected_response === undefined ? !(status >= 200 && status < 400) : tags.expected_response !== 'true',
    durationMs: data.value,
    sentMs: timeMs - data.value,
    reached: reachedServer(status, errorCode),
    name: tags.name ?? path,
    ...(tags.method ? { method: tags.method } : {}),
    ...(own ? { tags: own } : {}),
  };
}

/**
 * Did the request reach a server (as chaos-k6.ts `reachedServer`, which runs inside k6)? Not
 * without an HTTP status when k6 could not connect: a bad URL (1020), DNS (1100–1199), a TCP
 * dial failure (1200–1219).
 */
export function reachedServer(status: number, errorCode: number | undefined): boolean {
  if (status !== 0) return true;
  if (errorCode === undefined) return false;
  return !(errorCode === 1020 || (errorCode >= 1100 && errorCode < 1220));
}

function scriptTags(tags: Record<string, string>): Record<string, string> | undefined {
  let own: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(tags)) {
    if (ownTags.has(key)) continue;
    (own ??= {})[key] = value;
  }
  // A check's name tag (k6 adds the request name only to HTTP metrics) stays available as `name`.
  if (tags.name !== undefined && tags.check !== undefined) (own ??= {}).name = tags.name;
  return own;
}

/** One line of k6's NDJSON → a sample, with the built-in script's streams only. */
export function parseSampleLine(line: string): LoadSample | undefined {
  return defaultParser(line);
}

const defaultParser = sampleParser();

/** Splits a byte stream into whole lines; k6 writes whole lines, but reads may end mid-line. */
export class LineSplitter {
  private partial = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.partial + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      if (end > start) onLine(text.slice(start, end));
      start = end + 1;
    }
    this.partial = text.slice(start);
  }

  flush(onLine: (line: string) => void): void {
    if (this.partial) onLine(this.partial);
    this.partial = '';
  }
}
