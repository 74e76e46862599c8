/**
 * Read and validate a suite file: its shape (with positions, like scenarios), then every entry —
 * the scenario exists and is valid against its environment, and each phase override names a
 * phase of that scenario. Every problem is reported at once; nothing runs before all are fixed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, type InputIssue } from '../../errors/errors.js';
import { loadScenario } from '../load-inputs.js';
import { readYamlFile, resolveFileRef } from '../../input/files.js';
import { collectSchemaIssues } from '../../input/schema-issues.js';
import { suggest } from '../../input/suggest.js';
import { parseDuration } from '../../input/units.js';
import { formatPath, type PathSegment, type YamlSource } from '../../input/yaml-source.js';
import { suiteSchema, type RawSuite } from './schema.js';

import { parseAge, type Retention } from '../prune-reports.js';

export interface SuiteEntry {
  /** The scenario file, resolved. */
  file: string;
  /** The scenario's name (from the file). */
  name: string;
  /** The environment to use: the entry's, else the suite's; undefined = the scenario's own. */
  environment?: string;
  /** Phase name → duration in ms, from the entry. */
  phaseOverrides: Record<string, number>;
}

export interface Suite {
  file: string;
  name: string;
  description: string;
  onFailure: 'continue' | 'stop';
  settle: { timeoutMs: number; probeRequests: number; tolerance: number };
  /** Pruning of --reports after the suite (chaos report --prune). */
  retention?: Retention;
  entries: SuiteEntry[];
}

/** A run target that is a suite: a path to a suite file, or a name in suites/ when no scenario has it. */
export function findSuiteFile(ref: string, cwd: string): string | undefined {
  const looksLikePath = /[\\/]/.test(ref) || /\.ya?ml$/.test(ref);
  if (looksLikePath) {
    const file = path.resolve(cwd, ref);
    if (!existsSync(file)) return undefined;
    const data = readYamlFile(file, cwd).data as { scenarios?: unknown; load?: unknown } | null;
    return Array.isArray(data?.scenarios) && data?.load === undefined ? file : undefined;
  }
  try {
    resolveFileRef(ref, 'scenarios', 'scenario', cwd);
    return undefined;
  } catch {
    try {
      return resolveFileRef(ref, 'suites', 'suite', cwd);
    } catch {
      return undefined;
    }
  }
}

export function readSuite(file: string, options: { cwd: string; envOverride?: string }): Suite {
  return validateSuite(readYamlFile(file, options.cwd), {
    ...options,
    dir: path.dirname(path.resolve(options.cwd, file)),
  });
}

export function validateSuite(source: YamlSource, options: { cwd: string; dir: string; envOverride?: string }): Suite {
  const parsed = suiteSchema.safeParse(source.data ?? {});
  const issues: InputIssue[] = parsed.success ? [] : collectSchemaIssues(source, suiteSchema, parsed.error);
  if (!parsed.success) throw new InputError(`${source.file}: invalid suite`, issues);
  const report = (at: PathSegment[], message: string, hint?: string, where: 'key' | 'value' = 'value') =>
    issues.push({ file: source.file, ...source.locate(at, where), path: formatPath(at), message, hint });
  const entries = parsed.data.scenarios
    .map((raw, index) => checkEntry(raw, index, parsed.data, options, report, issues))
    .filter((entry): entry is SuiteEntry => entry !== undefined);
  if (issues.length > 0) throw new InputError(`${source.file}: invalid suite`, issues);
  const settle = parsed.data.settle;
  return {
    file: source.file,
    name: parsed.data.name,
    description: parsed.data.description,
    onFailure: parsed.data.onFailure,
    settle: {
      timeoutMs: ms(settle?.timeout ?? '3m'),
      probeRequests: settle?.probeRequests ?? 20,
      tolerance: settle?.tolerance ?? 0.05,
    },
    retention: parsed.data.retention && {
      keep: parsed.data.retention.keep,
      maxAgeMs: parsed.data.retention.maxAge === undefined ? undefined : parseAge(parsed.data.retention.maxAge),
    },
    entries,
  };
}

type Report = (at: PathSegment[], message: string, hint?: string, where?: 'key' | 'value') => void;

function checkEntry(
  raw: RawSuite['scenarios'][number],
  index: number,
  suite: RawSuite,
  options: { cwd: string; dir: string; envOverride?: string },
  report: Report,
  issues: InputIssue[],
): SuiteEntry | undefined {
  const ref = typeof raw === 'string' ? raw : raw.scenario;
  const at: PathSegment[] = typeof raw === 'string' ? ['scenarios', index] : ['scenarios', index, 'scenario'];
  const isPath = /[\\/]/.test(ref) || /\.ya?ml$/.test(ref);
  const environment =
    options.envOverride ?? (typeof raw === 'string' ? undefined : raw.environment) ?? suite.environment;
  let loaded: ReturnType<typeof loadScenario>;
  try {
    loaded = loadScenario(isPath ? path.resolve(options.dir, ref) : ref, environment, options.cwd);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (error.issues.length > 0) issues.push(...error.issues);
    else report(at, error.message, error.hint);
    return undefined;
  }
  const { scenario } = loaded;
  const phaseNames = scenario.phases.map((phase) => phase.name);
  const phaseOverrides: Record<string, number> = {};
  const phases = typeof raw === 'string' ? {} : (raw.phases ?? {});
  for (const [name, text] of Object.entries(phases)) {
    if (!phaseNames.includes(name))
      report(
        ['scenarios', index, 'phases', name],
        `scenario ${scenario.name} has no phase "${name}"; expected one of: ${phaseNames.join(', ')}`,
        suggest(name, phaseNames),
        'key',
      );
    else phaseOverrides[name] = ms(text);
  }
  return {
    file: path.resolve(options.cwd, scenario.file),
    name: scenario.name,
    ...(environment ? { environment } : {}),
    phaseOverrides,
  };
}

function ms(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`schema let through a duration that is not ${parsed.expected}`);
  return parsed.value;
}
