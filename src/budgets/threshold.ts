/**
 * The budget grammar: k6's threshold syntax, judged per phase and per ingress.
 *
 *   metric[{tag:value,...}]: <aggregation> <operator> <number>
 *
 *   http_req_failed: rate<0.01
 *   http_req_duration{ingress:central}: p(99.5)<350
 *   checks{check:balance shown}: rate>0.99            (a user script's k6 checks)
 *   journey_ms{name:home}: p(95)<500                 (a user script's own Trend)
 *
 *   time_to_recover: max<5s                          (judged after the run, per ingress)
 * Built-in metrics, their aggregations and the tags that may filter them are listed below.
 * A user script (load.script) adds `checks`, its own metrics (Trend, Rate, Counter) and its
 * own tags: what it produces is read from the script (scenario/script-facts.ts). Anything
 * else is an error at validation time, never at the end of a run.
 */
import { parseDuration, type Parsed } from '../input/units.js';

/** `timing`: one value per ingress per run (time to impact / recover), judged after the run. */
type MetricKind = 'trend' | 'rate' | 'counter' | 'timing';
/** The kinds a k6 script's own metrics can have. */
export type ScriptMetricKind = Exclude<MetricKind, 'timing'>;

const metrics = {
  /** Request duration in ms (k6's http_req_duration), per request. */
  http_req_duration: 'trend',
  /** Share of failed requests (k6's http_req_failed: status >= 400 or a network error). */
  http_req_failed: 'rate',
  /** Number of requests; `rate` is requests per second over the phase. */
  http_reqs: 'counter',
  /** Iterations k6 could not start for lack of VUs: the load was not delivered. */
  dropped_iterations: 'counter',
} as const satisfies Record<string, MetricKind>;

type MetricName = keyof typeof metrics;

/**
 * Time to impact and time to recover (docs/verdicts.md, "Time to impact and time to recover"):
 * one value per ingress per run, in ms, judged after the run (run/judge/judge-timing.ts), not by the
 * ledger. `value` and `max` both mean that value; limits take a unit (5s, 500ms) or ms.
 */
const timingMetrics = {
  /** The fault's converged time → the first request that left the baseline's behaviour. */
  time_to_impact: 'timing',
  /** The revert's converged time → the first request of a stretch back within it. */
  time_to_recover: 'timing',
} as const satisfies Record<string, MetricKind>;

export type TimingMetric = keyof typeof timingMetrics;

export function isTimingMetric(metric: string): metric is TimingMetric {
  return Object.hasOwn(timingMetrics, metric);
}

/** k6's `checks`: the share of passed check() conditions; only a user script makes them. */
export const checksMetric = 'checks';

/** What a user script produces: its custom metrics by kind, and the tags it sets (values, when known). */
export interface ScriptFacts {
  metrics: Record<string, ScriptMetricKind>;
  /** Tag name → values seen in the script; an empty list = set, values not known statically. */
  tags: Record<string, string[]>;
  /** The names of its check()s (the `check` tag of `checks`); absent when a name is not a literal. */
  checks?: string[];
}

const aggregationsByKind: Record<MetricKind, readonly string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  timing: ['value', 'max'],
};

/** Tags a budget may filter on. `ingress`: where the request entered; `served_by`: the cluster that answered. */
const filterTags = ['ingress', 'served_by', 'status', 'method', 'path', 'reached'] as const;
/**
 * `reached`: did the request reach a server (true), or fail to connect (false)? Latency
 * statistics take reached requests only unless the budget says `reached:false` or `reached:any`;
 * counts and failure rates take every request unless it says `reached:true` or `reached:false`.
 */
const reachedValues = ['true', 'false', 'any'] as const;
/** Tags every sample of a user script carries: the request `name` (k6's), and `check` on checks. */
const scriptFilterTags = ['name', 'check'] as const;

export type Aggregation =
  { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' } | { kind: 'percentile'; percentile: number };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  source: string;
  aggregation: Aggregation;
  operator: Operator;
  /** The limit; for a relative threshold, the amount added to or multiplying the baseline. */
  value: number;
  /** `baseline + N` or `baseline * N`: the limit is resolved from the baseline phase's measurement. */
  relative?: Relative;
  /** The limit was written as a duration with a unit (`5s`, `-500ms`); `value` is in ms. */
  duration?: true;
}

export interface Relative {
  kind: '+' | '*';
  amount: number;
}

/** The limit of a relative threshold given the baseline's value of the same aggregation. */
export function resolveLimit(relative: Relative, baseline: number): number {
  return relative.kind === '+' ? baseline + relative.amount : baseline * relative.amount;
}

export interface MetricSelector {
  source: string;
  /** A built-in metric, `checks`, or a metric the user's script declares. */
  metric: string;
  kind: MetricKind;
  /** Built-in tags (FilterTag), `name`, `check`, or any tag the user's script sets. */
  tags: Record<string, string>;
}

/** A metric of the request stream (built in), rather than one a script emits itself. */
export function isRequestMetric(metric: string): boolean {
  return metric in metrics;
}

const number = '-?\\d+(?:\\.\\d+)?';
/** A limit: a number, or (time_to_* only) a duration with units, as in units.ts: 5s, 500ms, 1m30s, -200ms. */
const limit = '-?(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+|-?\\d+(?:\\.\\d+)?';
const thresholdPattern = new RegExp(
  `^\\s*(avg|min|max|med|count|rate|value|p\\((\\d+(?:\\.\\d+)?)\\))\\s*(<=|>=|===|==|!=|<|>)\\s*` +
    `(?:(${limit})|baseline(?:\\s*([+*])\\s*(${number}))?)\\s*$`,
);

export const thresholdExpected =
  'a threshold such as rate<0.01, p(95)<350, p(99.5)<=350, avg<200, max<1000, count<10, ' +
  'or relative to the baseline phase: p(95) < baseline + 50, p(95) < baseline * 1.2, rate < baseline + 0.005; ' +
  'for time_to_impact and time_to_recover: max<5s, value<500ms';

export function parseThreshold(input: unknown): Parsed<Threshold> {
  if (typeof input !== 'string') return { ok: false, expected: thresholdExpected };
  const match = thresholdPattern.exec(input);
  if (!match) return { ok: false, expected: thresholdExpected };
  type Groups = [string, string, string | undefined, Operator, string | undefined, '+' | '*' | undefined, string?];
  const [, agg, pct, op, num, kind, amount] = match as unknown as Groups;
  let aggregation: Aggregation;
  if (pct !== undefined) {
    const percentile = Number(pct);
    if (percentile < 0 || percentile > 100) return { ok: false, expected: 'a percentile between p(0) and p(100)' };
    aggregation = { kind: 'percentile', percentile };
  } else aggregation = { kind: agg as 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' };
  const source = input.trim();
  if (num !== undefined && /[a-z]$/.test(num)) {
    const ms = parseDuration(num.replace(/^-/, ''));
    if (!ms.ok) return { ok: false, expected: thresholdExpected };
    const value = num.startsWith('-') ? -ms.value : ms.value;
    return { ok: true, value: { source, aggregation, operator: op, value, duration: true } };
  }
  if (num !== undefined) return { ok: true, value: { source, aggregation, operator: op, value: Number(num) } };
  const relative: Relative = kind === undefined ? { kind: '*', amount: 1 } : { kind, amount: Number(amount) };
  return { ok: true, value: { source, aggregation, operator: op, value: relative.amount, relative } };
}

function aggregationFits(kind: MetricKind, aggregation: Aggregation): boolean {
  const name = aggregation.kind === 'percentile' ? 'p(N)' : aggregation.kind;
  return aggregationsByKind[kind].includes(name);
}

const selectorPattern = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{([^{}]*)\})?$/;

const selectorExpected = `a metric name (${[...Object.keys(metrics), ...Object.keys(timingMetrics)].join(', ')}), optionally filtered by tags: http_req_duration{ingress:central}`;

/**
 * `facts` = what the scenario's script produces (undefined: the built-in load, no script).
 * `lenient`: the file's shape is checked before the script is read, so names it may declare pass.
 */
export function parseMetricSelector(input: string, facts?: ScriptFacts, lenient = false): Parsed<MetricSelector> {
  const match = selectorPattern.exec(input.trim());
  if (!match) return { ok: false, expected: selectorExpected };
  const [, name, tagText] = match as unknown as [string, string, string | undefined];
  const kind = kindOf(name, facts);
  if (!kind && !lenient) {
    if (!facts) return { ok: false, expected: `one of the metrics ${builtInNames().join(', ')}` };
    const declared = Object.keys(facts.metrics);
    return {
      ok: false,
      expected: `one of the metrics ${[...builtInNames(), checksMetric].join(', ')}, or one the script declares (${declared.length > 0 ? declared.join(', ') : 'it declares none'})`,
    };
  }
  const tags: Record<string, string> = {};
  if (tagText !== undefined) {
    for (const pair of tagText.split(',')) {
      const [key, ...rest] = pair.split(':');
      const tag = key?.trim() ?? '';
      const value = rest
        .join(':')
        .trim()
        .replace(/^["']|["']$/g, '');
      const problem = lenient ? undefined : checkTag(tag, value, facts);
      if (problem) return { ok: false, expected: problem };
      if (!value) return { ok: false, expected: `a value for tag "${tag}", as in ${tag}:central` };
      tags[tag] = value;
    }
  }
  return { ok: true, value: { source: input.trim(), metric: name, kind: kind ?? 'trend', tags } };
}

function builtInNames(): string[] {
  return [...Object.keys(metrics), ...Object.keys(timingMetrics)];
}

function kindOf(name: string, facts: ScriptFacts | undefined): MetricKind | undefined {
  // Own keys only: a metric named `constructor` or `toString` is not one of ours.
  if (Object.hasOwn(metrics, name)) return metrics[name as MetricName];
  if (isTimingMetric(name)) return 'timing';
  if (!facts) return undefined;
  if (name === checksMetric) return 'rate';
  return Object.hasOwn(facts.metrics, name) ? facts.metrics[name] : undefined;
}

function checkTag(tag: string, value: string, facts: ScriptFacts | undefined): string | undefined {
  if (tag === 'reached' && value && !(reachedValues as readonly string[]).includes(value))
    return `reached:true, reached:false or reached:any (got reached:${value})`;
  if ((filterTags as readonly string[]).includes(tag)) return undefined;
  if (!facts) return `tag filters on ${filterTags.join(', ')}; "${tag}" is not one`;
  if (tag === 'check')
    return facts.checks && value && !facts.checks.includes(value)
      ? `a check the script makes (${facts.checks.join(', ') || 'none'}); it has no check "${value}"`
      : undefined;
  const values = facts.tags[tag];
  const known = [...filterTags, ...scriptFilterTags, ...Object.keys(facts.tags).filter((t) => t !== 'name')];
  if (values === undefined && tag !== 'name')
    return `tag filters on ${known.join(', ')}; the script sets no tag "${tag}"`;
  if (values && values.length > 0 && value && !values.includes(value))
    return `a ${tag} the script sets (${values.join(', ')}); it never sets ${tag}:${value}`;
  return undefined;
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
  facts?: ScriptFacts,
  lenient = false,
): Array<{ index?: number; at: 'key' | 'value'; message: string }> {
  const selector = parseMetricSelector(key, facts, lenient);
  if (!selector.ok) return [{ at: 'key', message: `expected ${selector.expected} (got "${key}")` }];
  const droppedTags = Object.keys(selector.value.tags).filter((tag) => tag !== 'ingress');
  if (selector.value.metric === 'dropped_iterations' && droppedTags.length > 0)
    return [
      {
        at: 'key',
        message: `expected dropped_iterations with no tag filter or {ingress:<name>} only: an iteration that never started has no ${droppedTags.join(', ')} (got "${key}")`,
      },
    ];
  const metric = selector.value.metric;
  if (isTimingMetric(metric) && droppedTags.length > 0)
    return [
      {
        at: 'key',
        message: `expected ${metric} with no tag filter or {ingress:<name>} only: it is one value per ingress, not per request (got "${key}")`,
      },
    ];
  // A name only the script can declare: its kind is known once the script is read, its grammar now.
  const kindKnown = !lenient || Object.hasOwn(metrics, metric) || isTimingMetric(metric);
  const kind = selector.value.kind;
  const list = typeof thresholds === 'string' ? [thresholds] : thresholds;
  return list.flatMap((text, position) => {
    const index = typeof thresholds === 'string' ? undefined : position;
    const threshold = parseThreshold(text);
    if (!threshold.ok)
      return [{ index, at: 'value' as const, message: `expected ${threshold.expected} (got "${text}")` }];
    const timingProblem = checkTimingThreshold(metric, kindKnown ? kind : undefined, text, threshold.value);
    if (timingProblem) return [{ index, at: 'value' as const, message: timingProblem }];
    if (!kindKnown || aggregationFits(kind, threshold.value.aggregation)) return [];
    const fits = {
      trend: 'p(95), med, avg, min or max',
      rate: 'rate',
      counter: 'count or rate',
      timing: 'value or max (one value per ingress per run), as in max<5s',
    }[kind];
    return [
      {
        index,
        at: 'value' as const,
        message: `"${text}" does not apply to ${selector.value.metric}, a ${kind} metric: use ${fits}`,
      },
    ];
  });
}

/** Durations with units belong to time_to_*; a time has no baseline to be relative to. */
function checkTimingThreshold(
  metric: string,
  kind: MetricKind | undefined,
  text: string,
  threshold: Threshold,
): string | undefined {
  if (threshold.duration && kind !== 'timing' && kind !== undefined)
    return `"${text}": a limit with a unit applies to ${Object.keys(timingMetrics).join(' and ')} only; ${metric} takes a number (ms for durations)`;
  if (kind === 'timing' && threshold.relative)
    return `"${text}": ${metric} has one value per run and no baseline to be relative to; give a limit such as max<5s`;
  return undefined;
}
