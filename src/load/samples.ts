/**
 * k6 JSON output → samples. Only a few kinds of line matter: our `chaos_req` points (one per
 * request, see script/chaos-k6.ts) and `chaos_iter` points (one at the start of each iteration),
 * `dropped_iterations`, and — for a user's script — `checks`
 * and the custom metrics it declares. Every other line is skipped by a prefix test, without
 * JSON.parse: that is what keeps ingestion far faster than k6 writes.
 */
import type { LoadSample } from '../budgets/sample.js';
import { HarnessError } from '../errors/errors.js';

const requestPrefix = '{"metric":"chaos_req","type":"Point"';
const droppedPrefix = '{"metric":"dropped_iterations","type":"Point"';
const checksPrefix = '{"metric":"checks","type":"Point"';
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
  options: { metrics?: readonly string[]; servedBy?: (raw: string) => string } = {},
): SampleParser {
  const prefixes = (options.metrics ?? []).map((metric) => `{"metric":"${metric}","type":"Point"`);
  const mapServedBy = options.servedBy ?? ((raw: string) => raw);
  return (line) => {
    const isRequest = line.startsWith(requestPrefix);
    const isIteration = !isRequest && line.startsWith(iterationPrefix);
    const isDropped = !isRequest && !isIteration && line.startsWith(droppedPrefix);
    const isCheck = !isRequest && !isIteration && !isDropped && line.startsWith(checksPrefix);
    const isMetric =
      !isRequest && !isIteration && !isDropped && !isCheck && prefixes.some((prefix) => line.startsWith(prefix));
    if (!isRequest && !isIteration && !isDropped && !isCheck && !isMetric) return undefined;
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
        'the load script must record requests through the chaos/k6 module; a truncated last line is skipped, a malformed one is not',
      );
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
      return { kind: 'check', timeMs, ingress, check: tags.check ?? '', passed: point.data.value !== 0, tags: own };
    if (isMetric) return { kind: 'metric', timeMs, ingress, metric: point.metric, value: point.data.value, tags: own };
    const path = tags.path ?? '';
    const sentMs = Number(data.metadata?.sent_ms);
    return {
      kind: 'request',
      timeMs,
      ingress,
      servedBy: mapServedBy(tags.served_by ?? 'unknown'),
      status: Number(tags.status ?? 0),
      path,
      failed: tags.failed === '1',
      durationMs: point.data.value,
      sentMs: Number.isFinite(sentMs) && data.metadata?.sent_ms ? sentMs : timeMs - point.data.value,
      // Streams written before the script said so: a request with an HTTP status reached a server.
      reached: tags.reached === undefined ? tags.status !== '0' : tags.reached === '1',
      name: tags.name ?? path,
      ...(tags.method ? { method: tags.method } : {}),
      ...(own ? { tags: own } : {}),
    };
  };
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
