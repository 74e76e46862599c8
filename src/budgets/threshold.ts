/**
 * The budget grammar: k6's threshold syntax, judged per phase and per ingress.
 *
 *   metric[{tag:value,...}]: <aggregation> <operator> <number>
 *
 *   http_req_failed: rate<0.01
 *   http_req_duration{ingress:central}: p(99.5)<350
 *
 * Metrics, their aggregations and the tags that may filter them are listed below; anything
 * else is an error at validation time, never at the end of a run.
 */
import type { Parsed } from '../input/units.js';

export type MetricKind = 'trend' | 'rate' | 'counter';

export const metrics = {
  /** Request duration in ms (k6's http_req_duration), per request. */
  http_req_duration: 'trend',
  /** Share of failed requests (k6's http_req_failed: status >= 400 or a network error). */
  http_req_failed: 'rate',
  /** Number of requests; `rate` is requests per second over the phase. */
  http_reqs: 'counter',
  /** Iterations k6 could not start for lack of VUs: the load was not delivered. */
  dropped_iterations: 'counter',
} as const satisfies Record<string, MetricKind>;

export type MetricName = keyof typeof metrics;

export const aggregationsByKind: Record<MetricKind, readonly string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
};

/** Tags a budget may filter on. `ingress`: where the request entered; `served_by`: the cluster that answered. */
export const filterTags = ['ingress', 'served_by', 'status', 'method', 'path'] as const;
export type FilterTag = (typeof filterTags)[number];

export type Aggregation =
  { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' } | { kind: 'percentile'; percentile: number };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  source: string;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
}

export interface MetricSelector {
  source: string;
  metric: MetricName;
  tags: Partial<Record<FilterTag, string>>;
}

const thresholdPattern =
  /^\s*(avg|min|max|med|count|rate|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

export const thresholdExpected = 'a threshold such as rate<0.01, p(95)<350, p(99.5)<=350, avg<200, max<1000, count<10';

export function parseThreshold(input: unknown): Parsed<Threshold> {
  if (typeof input !== 'string') return { ok: false, expected: thresholdExpected };
  const match = thresholdPattern.exec(input);
  if (!match) return { ok: false, expected: thresholdExpected };
  const [, agg, pct, op, num] = match as unknown as [string, string, string | undefined, Operator, string];
  let aggregation: Aggregation;
  if (pct !== undefined) {
    const percentile = Number(pct);
    if (percentile < 0 || percentile > 100) return { ok: false, expected: 'a percentile between p(0) and p(100)' };
    aggregation = { kind: 'percentile', percentile };
  } else aggregation = { kind: agg as 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' };
  return { ok: true, value: { source: input.trim(), aggregation, operator: op, value: Number(num) } };
}

export function aggregationFits(kind: MetricKind, aggregation: Aggregation): boolean {
  const name = aggregation.kind === 'percentile' ? 'p(N)' : aggregation.kind;
  return aggregationsByKind[kind].includes(name);
}

const selectorPattern = /^([a-z_]+)(?:\{([^{}]*)\})?$/;

export const selectorExpected = `a metric name (${Object.keys(metrics).join(', ')}), optionally filtered by tags: http_req_duration{ingress:central}`;

export function parseMetricSelector(input: string): Parsed<MetricSelector> {
  const match = selectorPattern.exec(input.trim());
  if (!match) return { ok: false, expected: selectorExpected };
  const [, name, tagText] = match as unknown as [string, string, string | undefined];
  if (!Object.hasOwn(metrics, name))
    return { ok: false, expected: `one of the metrics ${Object.keys(metrics).join(', ')}` };
  const tags: Partial<Record<FilterTag, string>> = {};
  if (tagText !== undefined) {
    for (const pair of tagText.split(',')) {
      const [key, ...rest] = pair.split(':');
      const tag = key?.trim() ?? '';
      const value = rest
        .join(':')
        .trim()
        .replace(/^["']|["']$/g, '');
      if (!(filterTags as readonly string[]).includes(tag)) {
        return { ok: false, expected: `tag filters on ${filterTags.join(', ')}; "${tag}" is not one` };
      }
      if (!value) return { ok: false, expected: `a value for tag "${tag}", as in ${tag}:central` };
      tags[tag as FilterTag] = value;
    }
  }
  return { ok: true, value: { source: input.trim(), metric: name as MetricName, tags } };
}

export function compare(actual: number, operator: Operator, expected: number): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
    case '===':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

/** Every grammar problem of one budget entry (`key: threshold(s)`), for validation. */
export function checkBudgetEntry(
  key: string,
  thresholds: string | readonly string[],
): Array<{ index?: number; at: 'key' | 'value'; message: string }> {
  const selector = parseMetricSelector(key);
  if (!selector.ok) return [{ at: 'key', message: `expected ${selector.expected} (got "${key}")` }];
  const kind = metrics[selector.value.metric];
  const list = typeof thresholds === 'string' ? [thresholds] : thresholds;
  return list.flatMap((text, position) => {
    const index = typeof thresholds === 'string' ? undefined : position;
    const threshold = parseThreshold(text);
    if (!threshold.ok)
      return [{ index, at: 'value' as const, message: `expected ${threshold.expected} (got "${text}")` }];
    if (aggregationFits(kind, threshold.value.aggregation)) return [];
    const fits = kind === 'trend' ? 'p(95), med, avg, min or max' : kind === 'rate' ? 'rate' : 'count or rate';
    return [
      {
        index,
        at: 'value' as const,
        message: `"${text}" does not apply to ${selector.value.metric}, a ${kind} metric: use ${fits}`,
      },
    ];
  });
}
