/**
 * k6 JSON output → samples. Only two kinds of line matter: our `chaos_req` points (one per
 * request, see script/load.ts) and `dropped_iterations`. Every other line is skipped by a
 * prefix test, without JSON.parse: that is what keeps ingestion far faster than k6 writes.
 */
import type { LoadSample } from '../budgets/sample.js';

const requestPrefix = '{"metric":"chaos_req","type":"Point"';
const droppedPrefix = '{"metric":"dropped_iterations","type":"Point"';

interface PointLine {
  data: { time: string; value: number; tags?: Record<string, string> };
}

/** One line of k6's NDJSON → a sample, or undefined for lines we do not use (or cannot read). */
export function parseSampleLine(line: string): LoadSample | undefined {
  const isRequest = line.startsWith(requestPrefix);
  if (!isRequest && !line.startsWith(droppedPrefix)) return undefined;
  let point: PointLine;
  try {
    point = JSON.parse(line) as PointLine;
  } catch {
    return undefined;
  }
  const tags = point.data.tags ?? {};
  const timeMs = Date.parse(point.data.time);
  if (!Number.isFinite(timeMs)) return undefined;
  if (!isRequest)
    return { kind: 'dropped', timeMs, ingress: tags.ingress ?? tags.scenario ?? 'unknown', count: point.data.value };
  return {
    kind: 'request',
    timeMs,
    ingress: tags.ingress ?? 'unknown',
    servedBy: tags.served_by ?? 'unknown',
    status: Number(tags.status ?? 0),
    path: tags.path ?? '',
    failed: tags.failed === '1',
    durationMs: point.data.value,
  };
}

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
