/**
 * Dropped iterations, which k6 emits outside any VU (so no VU's record has them), read from k6's
 * REST API on loopback: the script declares an always-met threshold on
 * `dropped_iterations{scenario:<name>}` for each of its scenarios, so k6 keeps one exact count per
 * scenario, and every `everyMs` the increase since the last look becomes one `dropped` sample of
 * that scenario's ingress, placed at the time of the look (so an iteration k6 dropped is placed
 * at most `everyMs` late: docs/measurement.md). The same look keeps k6's own count of the requests
 * it completed, so a harness that saw far less than that knows it was blind.
 */
import type { LoadSample } from '../budgets/sample.js';

const subMetric = /^dropped_iterations\{scenario:(.+)\}$/;

/** What k6 itself says it has done, at the last look: the requests it completed (its `http_reqs`). */
export interface K6Reported {
  requests: number;
  atMs: number;
}

/** The ingress of a harness scenario: named after it, or `<ingress>-<script's scenario>`. */
function ingressOfScenario(scenario: string, ingresses: readonly string[]): string | undefined {
  if (ingresses.includes(scenario)) return scenario;
  return ingresses.filter((ingress) => scenario.startsWith(`${ingress}-`)).sort((a, b) => b.length - a.length)[0];
}

export function followDroppedIterations(
  apiUrl: string,
  ingresses: readonly string[],
  onSample: (sample: LoadSample) => void,
  everyMs = 500,
): { stop(): void; reported(): K6Reported | undefined } {
  const seen = new Map<string, number>();
  let reported: K6Reported | undefined;
  let busy = false;
  /**
   * The sub-metrics' ids, from one listing of every metric (their thresholds create them at start).
   * After that only these counters are asked for: a listing makes k6 compute every Trend's
   * percentiles over every value so far, which grows with the run.
   */
  let ids: string[] | undefined;
  const get = async <T>(path: string): Promise<T | undefined> => {
    const response = await fetch(`${apiUrl}${path}`, { signal: AbortSignal.timeout(everyMs * 4) });
    return response.ok ? ((await response.json()) as T) : undefined;
  };
  type Metric = { id?: string; attributes?: { sample?: { count?: number } } };
  const take = (metric: Metric, now: number): void => {
    const count = metric.attributes?.sample?.count;
    if (typeof count !== 'number') return;
    if (metric.id === 'http_reqs') reported = { requests: count, atMs: now };
    const scenario = subMetric.exec(metric.id ?? '')?.[1];
    if (scenario === undefined) return;
    const more = count - (seen.get(scenario) ?? 0);
    seen.set(scenario, count);
    const ingress = ingressOfScenario(scenario, ingresses);
    if (more > 0 && ingress) onSample({ kind: 'dropped', timeMs: now, ingress, count: more });
  };
  const look = async () => {
    if (busy) return;
    busy = true;
    try {
      if (ids === undefined) {
        const listed = (await get<{ data?: Metric[] }>('/v1/metrics'))?.data ?? [];
        const found = listed.map((metric) => metric.id ?? '').filter((id) => subMetric.test(id));
        if (found.length > 0) ids = [...found, 'http_reqs'];
        for (const metric of listed) take(metric, Date.now());
        return;
      }
      for (const id of ids) {
        const one = await get<{ data?: Metric }>(`/v1/metrics/${encodeURIComponent(id)}`);
        if (one?.data) take(one.data, Date.now());
      }
    } catch {
      // k6 not listening yet, or already gone: the next look (or none) tells
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void look(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), reported: () => reported };
}
