/**
 * Validate a scenario file and normalize it into the model the runner uses.
 * Every problem is reported at once: shape issues from the schema, then the cross-field rules
 * below (phase names in budgets, one way of saying phases, budget grammar).
 */
import nodePath from 'node:path';
import { errorText, InputError, type InputIssue } from '../errors/errors.js';
import {
  checkBudgetEntry,
  parseMetricSelector,
  parseThreshold,
  type MetricSelector,
  type ScriptFacts,
  type Threshold,
} from '../budgets/threshold.js';
import { readScriptFacts } from './script-facts.js';
import { checkExpectation, normalizeExpectation } from './expectation.js';
import { checkRelativeBudgets } from './check-relative-budgets.js';
import { checkTimingBudgets } from './check-timing-budgets.js';
import { scenarioSchema, type RawScenario } from './schema.js';
import { normalizeFault, type RawFault } from '../faults/registry.js';
import { collectSchemaIssues } from '../input/schema-issues.js';
import type { Budget } from '../budgets/budget.js';
import type { ClusterSelection, Fault, LoadScript, Phase, Scenario } from './types.js';
import { parseDuration, parsePercentage, parseRate } from '../input/units.js';
import { suggest } from '../input/suggest.js';
import { formatPath, type PathSegment, type YamlSource } from '../input/yaml-source.js';

const minimumWindowMs = 250;

/** What a scenario is checked against: the cluster (= ingress) names of its environment. */
export interface EnvironmentNames {
  name: string;
  clusters: readonly string[];
}

/**
 * Reads a file named relative to the scenario's own (its k6 script): its absolute path and
 * text, or undefined when there is none. Files are read at the edge, not here.
 */
export type ReadText = (file: string) => { path: string; text: string } | undefined;

export function validateScenario(
  source: YamlSource,
  environment?: EnvironmentNames,
  readText: ReadText = () => undefined,
): Scenario {
  const parsed = scenarioSchema.safeParse(source.data ?? {});
  const issues: InputIssue[] = parsed.success ? [] : collectSchemaIssues(source, scenarioSchema, parsed.error);
  const report = (path: PathSegment[], message: string, hint?: string, at: 'key' | 'value' = 'value') =>
    issues.push({ file: source.file, ...source.locate(path, at), path: formatPath(path), message, hint });
  // Cross-field rules read the raw data defensively, so they are reported together with shape problems.
  const raw = asLoose(source.data);
  checkBudgetPhases(raw, report);
  checkRelativeBudgets(raw, report);
  checkTimingBudgets(raw, report);
  const script = readLoadScript(source.file, asLoose(raw.load).script, readText, report);
  checkBudgetNames(raw, script, report);
  checkExpectation(raw, report);
  if (environment) checkNames(raw, environment, report, script);
  if (!parsed.success) throw new InputError(`${source.file}: invalid scenario`, sortIssues(issues));
  const scenario = normalize(source.file, parsed.data, report, script);
  if (issues.length > 0) throw new InputError(`${source.file}: invalid scenario`, sortIssues(issues));
  return scenario;
}

type Report = (path: PathSegment[], message: string, hint?: string, at?: 'key' | 'value') => void;

/** `load.script`, relative to the scenario file: it must exist; what it produces is read from its source. */
function readLoadScript(
  scenarioFile: string,
  script: unknown,
  readText: ReadText,
  report: Report,
): LoadScript | undefined {
  if (typeof script !== 'string' || !/\.(ts|js)$/.test(script)) return undefined;
  const shown = nodePath.join(nodePath.dirname(scenarioFile), script);
  const found = readText(shown);
  if (found === undefined) {
    report(['load', 'script'], `no k6 script at ${shown}`, 'the path is relative to the scenario file');
    return undefined;
  }
  const facts = readScriptFacts(found.text);
  return {
    file: found.path,
    metrics: facts.metrics,
    tags: facts.tags,
    ...(facts.checks ? { checks: facts.checks } : {}),
    ...(facts.ownScenarios ? { ownScenarios: true } : {}),
  };
}

/** The metrics and tags of every budget exist: built in, or produced by the scenario's script. */
function checkBudgetNames(raw: Loose, script: LoadScript | undefined, report: Report): void {
  const facts: ScriptFacts | undefined = script;
  const check = (path: PathSegment[], key: string, thresholds: unknown) => {
    if (typeof thresholds !== 'string' && !Array.isArray(thresholds)) return;
    const texts = (Array.isArray(thresholds) ? thresholds : [thresholds]).filter((t) => typeof t === 'string');
    // Problems the schema already reported (built-in metrics) are not reported twice.
    const lenient = checkBudgetEntry(key, texts, undefined, true);
    for (const problem of checkBudgetEntry(key, texts, facts)) {
      if (lenient.some((seen) => seen.message === problem.message)) continue;
      const at = problem.index === undefined ? [...path, key] : [...path, key, problem.index];
      report(at, problem.message, undefined, problem.at);
    }
  };
  for (const [phase, entries] of Object.entries(asLoose(raw.budgets)))
    for (const [key, thresholds] of Object.entries(asLoose(entries))) check(['budgets', phase], key, thresholds);
  for (const [key, thresholds] of Object.entries(asLoose(raw.abort))) check(['abort'], key, thresholds);
}

function normalize(file: string, raw: RawScenario, report: Report, script?: LoadScript): Scenario {
  const phases = normalizePhases(raw, report);
  const facts: ScriptFacts | undefined = script;
  if (raw.load.servedBy && 'body' in raw.load.servedBy) checkPattern(raw.load.servedBy.body, report);
  const windowMs = ms(raw.windows?.size ?? '1s');
  if (windowMs < minimumWindowMs)
    report(['windows', 'size'], `expected a window of at least ${minimumWindowMs}ms (got ${raw.windows?.size})`);
  const load = raw.load;
  const timeoutMs = ms(load.timeout);
  if (timeoutMs <= 0) report(['load', 'timeout'], 'expected a request timeout above 0');
  return {
    file,
    name: raw.name,
    description: raw.description,
    environment: raw.environment,
    load: {
      ratePerSecond: value(parseRate(load.rate)),
      script,
      outputs: load.outputs ?? [],
      servedBy:
        load.servedBy === undefined
          ? undefined
          : 'header' in load.servedBy
            ? { kind: 'header', header: load.servedBy.header.toLowerCase() }
            : { kind: 'body', pattern: load.servedBy.body },
      paths: load.paths,
      method: load.method,
      host: load.host,
      timeoutMs,
      minDelivered: value(parsePercentage(load.minDelivered)) / 100,
      ...(load.maxVUs === undefined ? {} : { maxVUs: load.maxVUs }),
      ingresses: load.ingresses,
      ...normalizeRunner(load, report),
    },
    phases,
    windowMs,
    recoveredAfterWindows: raw.windows?.recoveredAfter ?? 3,
    budgets: normalizeBudgets(raw, facts),
    abortLimits: Object.entries(raw.abort ?? {}).flatMap(([key, thresholds]) =>
      parseBudgetEntry(key, thresholds, facts),
    ),
    ...normalizeExpectation(raw.expect),
    requireParity: raw.requireParity,
    requireGuard: raw.requireGuard,
  };
}

/** `runner: k6-operator` with its settings; the settings alone (with a local runner) are a mistake. */
function normalizeRunner(load: RawScenario['load'], report: Report): Pick<Scenario['load'], 'runner'> {
  if (load.runner === 'local') {
    for (const key of ['parallelism', 'operator'] as const) {
      if (load[key] !== undefined)
        report(
          ['load', key],
          `${key} applies only with runner: k6-operator`,
          'add `runner: k6-operator`, or remove this field',
          'key',
        );
    }
    return {};
  }
  if (load.script !== undefined)
    report(
      ['load', 'script'],
      'a script of your own runs only with runner: local for now',
      'remove runner: k6-operator, or use the built-in load (paths)',
    );
  const { cluster, namespace, image, serviceAccount } = load.operator ?? {};
  return {
    runner: { kind: 'k6-operator', parallelism: load.parallelism ?? 1, cluster, namespace, image, serviceAccount },
  };
}

function normalizePhases(raw: RawScenario, report: Report): Phase[] {
  const ids = new Set<string>();
  if (raw.steps) {
    if (raw.phases)
      report(
        ['phases'],
        'give either phases (with faults) or steps, not both',
        'steps already name each phase and its faults',
        'key',
      );
    if (raw.faults)
      report(
        ['faults'],
        'with steps, list faults inside each step, not at the top level',
        'move this list under the step that applies it',
        'key',
      );
    const seen = new Set<string>();
    return raw.steps.map((step, index) => {
      if (seen.has(step.name))
        report(['steps', index, 'name'], `step name "${step.name}" is used twice; expected unique step names`);
      seen.add(step.name);
      if (step.name === 'all')
        report(['steps', index, 'name'], '"all" is reserved for budgets that apply to every phase');
      return {
        name: step.name,
        durationMs: ms(step.duration),
        faults: normalizeFaults(step.faults ?? [], ['steps', index, 'faults'], ids, report),
      };
    });
  }
  const phases = raw.phases ?? { baseline: '30s', fault: '60s', recovery: '60s' };
  return [
    { name: 'baseline', durationMs: ms(phases.baseline), faults: [] },
    { name: 'fault', durationMs: ms(phases.fault), faults: normalizeFaults(raw.faults ?? [], ['faults'], ids, report) },
    { name: 'recovery', durationMs: ms(phases.recovery), faults: [] },
  ];
}

/** `ids` is shared by every step of a scenario: fault ids are unique across the whole run. */
function normalizeFaults(rawFaults: RawFault[], base: PathSegment[], ids: Set<string>, report: Report): Fault[] {
  return rawFaults.map((raw, index) => {
    const id = raw.id ?? `${raw.type}-${ids.size + 1}`;
    if (ids.has(id)) report([...base, index, 'id'], `fault id "${id}" is used twice; expected unique ids`);
    ids.add(id);
    return normalizeFault(raw, { base: { id, clusters: clusterSelection(raw.cluster) }, at: [...base, index], report });
  });
}

/**
 * The body pattern compiles and has a capturing group (its first names the cluster). Groups are
 * counted by the engine itself (`(?:p)|` matches "" with every group unset), so an escaped
 * `\(` is no group and a named `(?<cluster>…)` is one.
 */
function checkPattern(pattern: string, report: Report): void {
  try {
    new RegExp(pattern);
    const groups = new RegExp(`(?:${pattern})|`).exec('')!.length - 1;
    if (groups === 0) throw new Error('it has no capturing group');
  } catch (error) {
    report(
      ['load', 'servedBy', 'body'],
      `expected a regular expression with one capturing group that matches the cluster name (${errorText(error)})`,
      'e.g. "cluster=(\\w+)"',
    );
  }
}

function normalizeBudgets(raw: RawScenario, facts: ScriptFacts | undefined): Budget[] {
  const budgets: Budget[] = [];
  for (const [phase, entries] of Object.entries(raw.budgets ?? {})) {
    for (const [key, thresholds] of Object.entries(entries)) {
      budgets.push(...parseBudgetEntry(key, thresholds, facts).map((entry) => ({ phase, ...entry })));
    }
  }
  return budgets;
}

/** The schema has checked the grammar (checkBudgetEntry); here the entry only becomes typed budgets. */
function parseBudgetEntry(
  key: string,
  thresholds: string | string[],
  facts: ScriptFacts | undefined,
): Array<{ selector: MetricSelector; threshold: Threshold }> {
  // A name the script does not produce is already reported (checkBudgetNames); read it leniently here.
  const strict = parseMetricSelector(key, facts);
  const selector = strict.ok ? strict.value : value(parseMetricSelector(key, facts, true));
  return (Array.isArray(thresholds) ? thresholds : [thresholds]).map((text) => ({
    selector,
    threshold: value(parseThreshold(text)),
  }));
}

/** Cluster and ingress names must exist in the environment; checked with the raw file for positions. */
function checkNames(raw: Loose, environment: EnvironmentNames, report: Report, script?: LoadScript): void {
  const facts: ScriptFacts | undefined = script;
  const known = environment.clusters;
  const expected = `expected a cluster of environment "${environment.name}": ${known.join(', ')}`;
  const checkCluster = (path: PathSegment[], cluster: unknown) => {
    if (cluster === 'all') return;
    for (const [index, name] of (Array.isArray(cluster) ? cluster : [cluster]).entries()) {
      if (typeof name === 'string' && !known.includes(name))
        report(
          Array.isArray(cluster) ? [...path, index] : path,
          `unknown cluster "${name}"; ${expected}, or all`,
          suggest(name, known),
        );
    }
  };
  list(raw.faults).forEach((fault, index) => checkCluster(['faults', index, 'cluster'], asLoose(fault).cluster));
  list(raw.steps).forEach((step, s) =>
    list(asLoose(step).faults).forEach((fault, index) =>
      checkCluster(['steps', s, 'faults', index, 'cluster'], asLoose(fault).cluster),
    ),
  );
  checkCluster(['load', 'operator', 'cluster'], asLoose(asLoose(raw.load).operator).cluster ?? 'all');
  list(asLoose(raw.load).ingresses).forEach((name, index) => {
    if (typeof name === 'string' && !known.includes(name))
      report(['load', 'ingresses', index], `unknown ingress "${name}"; ${expected}`, suggest(name, known));
  });
  const checkTags = (path: PathSegment[], key: string) => {
    const selector = parseMetricSelector(key, facts);
    if (!selector.ok) return;
    for (const tag of ['ingress', 'served_by'] as const) {
      const name = selector.value.tags[tag];
      if (name !== undefined && !known.includes(name))
        report(path, `${tag}:${name} names no cluster; ${expected}`, suggest(name, known), 'key');
    }
  };
  for (const [phase, entries] of Object.entries(asLoose(raw.budgets)))
    for (const key of Object.keys(asLoose(entries))) checkTags(['budgets', phase, key], key);
  for (const key of Object.keys(asLoose(raw.abort))) checkTags(['abort', key], key);
}

/** Budgets name phases that exist: the steps' names, or baseline/fault/recovery. */
function checkBudgetPhases(raw: Loose, report: Report): void {
  const steps = list(raw.steps)
    .map((step) => asLoose(step).name)
    .filter((name): name is string => typeof name === 'string');
  const phaseNames = raw.steps !== undefined ? steps : ['baseline', 'fault', 'recovery'];
  for (const phase of Object.keys(asLoose(raw.budgets))) {
    if (phase !== 'all' && !phaseNames.includes(phase)) {
      report(
        ['budgets', phase],
        `unknown phase "${phase}"; expected one of: all, ${phaseNames.join(', ')}`,
        suggest(phase, phaseNames),
        'key',
      );
    }
  }
}

type Loose = Record<string, unknown>;

function asLoose(value: unknown): Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function sortIssues(issues: InputIssue[]): InputIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

function clusterSelection(cluster: string | string[]): ClusterSelection {
  if (cluster === 'all') return { kind: 'all' };
  return { kind: 'named', names: Array.isArray(cluster) ? cluster : [cluster] };
}

/** The schema already checked these values; a failure here is a bug, not bad input. */
function value<T>(parsed: { ok: true; value: T } | { ok: false; expected: string }): T {
  if (!parsed.ok) throw new Error(`schema let through a value that is not ${parsed.expected}`);
  return parsed.value;
}

function ms(text: string): number {
  return value(parseDuration(text));
}
