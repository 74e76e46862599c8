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
  const look = async () => {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(`${apiUrl}/v1/metrics`, { signal: AbortSignal.timeout(everyMs * 4) });
      if (!response.ok) return;
      const body = (await response.json()) as {
        data?: Array<{ id?: string; attributes?: { sample?: { count?: number } } }>;
      };
      const now = Date.now();
      for (const metric of body.data ?? []) {
        if (metric.id === 'http_reqs' && typeof metric.attributes?.sample?.count === 'number')
          reported = { requests: metric.attributes.sample.count, atMs: now };
        const scenario = subMetric.exec(metric.id ?? '')?.[1];
        const count = metric.attributes?.sample?.count;
        if (scenario === undefined || typeof count !== 'number') continue;
        const more = count - (seen.get(scenario) ?? 0);
        seen.set(scenario, count);
        const ingress = ingressOfScenario(scenario, ingresses);
        if (more > 0 && ingress) onSample({ kind: 'dropped', timeMs: now, ingress, count: more });
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
