/**
 * `chaos validate`: check scenario, suite and environment files — every problem at once, each
 * with file, line and field — and with `--env`, the clusters a run would refuse. Changes nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, type InputIssue } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { checkScenario } from './load-inputs.js';
import { findSuiteFile, validateSuite } from './suite/read-suite.js';
import { checkClusters, refusalIssues } from './check-clusters.js';
import { buildPlan } from '../run/plan/build-plan.js';
import { validateEnvironment } from '../environment/validate-environment.js';
import { listYamlFiles, readYamlFile, resolveFileRef, searchDirs } from '../input/files.js';
import type { YamlSource } from '../input/yaml-source.js';
import { outputSchemaVersion } from '../report/output-schemas.js';
import { typeCheckScript } from '../load/type-check-script.js';
import { checkContexts } from '../environment/connection-overrides.js';
import { readEnvironment } from '../environment/read-environment.js';
import type { Environment } from '../environment/types.js';
import { readScriptFacts } from '../scenario/script-facts.js';

type FileKind = 'scenario' | 'environment' | 'suite';

/**
 * What a file is, from its top-level fields: `clusters` without `load` is an environment, a
 * `scenarios` list without `load` a suite, anything else a scenario (whose errors then explain).
 */
function kindOf(data: unknown): FileKind {
  if (typeof data !== 'object' || data === null || 'load' in data) return 'scenario';
  if ('clusters' in data) return 'environment';
  if ('scenarios' in data && Array.isArray((data as { scenarios: unknown }).scenarios)) return 'suite';
  return 'scenario';
}

/** A name is looked up among scenarios, then suites; a path is taken as it is. */
function resolve(ref: string, cwd: string): string {
  return findSuiteFile(ref, cwd) ?? resolveFileRef(ref, 'scenarios', 'scenario', cwd);
}

type ScriptChecks = Map<string, ReturnType<typeof typeCheckScript>>;

function check(
  source: YamlSource,
  env: string | undefined,
  cwd: string,
  scripts: ScriptChecks,
): { kind: FileKind; warnings: string[] } {
  const kind = kindOf(source.data);
  if (kind === 'environment') validateEnvironment(source);
  else if (kind === 'suite')
    validateSuite(source, { cwd, dir: path.dirname(path.resolve(cwd, source.file)), envOverride: env });
  else {
    const { scenario, environment } = checkScenario(source, env, cwd);
    checkScript(source, scenario.load.script?.file, cwd, scripts);
    return { kind, warnings: scriptWarnings(scenario.load.script?.file, environment, cwd) };
  }
  return { kind, warnings: [] };
}

/**
 * What a run could not attribute or would not tell a script: a request to a full URL that is
 * no ingress of the environment (the harness gives each ingress's scenario its own BASE_URL and
 * counts what the scenario sends for that ingress), and the harness's env read at the top level
 * (k6 applies a scenario's env only when its iterations run).
 */
function scriptWarnings(script: string | undefined, environment: Environment, cwd: string): string[] {
  if (!script) return [];
  const facts = readScriptFacts(readFileSync(script, 'utf8'));
  const origin = (url: string) => /^(https?:\/\/[^/?#]+)/i.exec(url)?.[1]?.toLowerCase();
  const ingresses = new Set(
    environment.clusters.map((cluster) => (cluster.ingress.kind === 'url' ? origin(cluster.ingress.url) : undefined)),
  );
  const at = (line: number) => `${path.relative(cwd, script) || script}:${line}`;
  const places = [
    ...facts.requestUrls
      .filter((url) => !ingresses.has(origin(url.text)))
      .map(
        (url) =>
          `${at(url.line)}: a request to ${url.text}, which is no ingress of environment ${environment.name}: it cannot be attributed to an ingress, yet it is counted for the scenario's; send to \`\${__ENV.BASE_URL}/…\` (each ingress's base URL)`,
      ),
    ...facts.topLevelEnv.map(
      (read) =>
        `${at(read.line)}: __ENV.${read.text} is read at the script's top level, where k6 has not applied the ingress's env yet (it is undefined there); read it inside the default function or setup`,
    ),
  ];
  return places.sort((a, b) => Number(/:(\d+):/.exec(a)?.[1]) - Number(/:(\d+):/.exec(b)?.[1]));
}

/** A user's k6 script type-checked as its editor would (k6 only strips types); each script once. */
function checkScript(source: YamlSource, script: string | undefined, cwd: string, scripts: ScriptChecks): void {
  if (!script) return;
  const problems = scripts.get(script) ?? scripts.set(script, typeCheckScript(script)).get(script)!;
  if (problems.length === 0) return;
  throw new InputError(
    `${source.file}: its k6 script does not type-check`,
    problems.map((problem) => ({
      file: path.relative(cwd, problem.file) || problem.file,
      line: problem.line,
      column: problem.column,
      path: 'load.script',
      message: problem.message,
    })),
  );
}

export interface ValidateOptions {
  env?: string;
  json: boolean;
}

/** Validates `paths` (default: every scenario and suite); throws one InputError listing every problem. */
export async function validateFiles(paths: readonly string[], options: ValidateOptions, io: CliIo): Promise<void> {
  const json = options.json;
  const files =
    paths.length > 0
      ? paths.map((ref) => resolve(ref, io.cwd))
      : [...listYamlFiles(searchDirs('scenarios', io.cwd)), ...listYamlFiles(searchDirs('suites', io.cwd))];
  const issues: InputIssue[] = [];
  const checked: Array<{ file: string; kind: FileKind; warnings?: string[] }> = [];
  const scripts: ScriptChecks = new Map();
  let failures = 0;
  let environmentProblem: string | undefined;
  // --env: its contexts exist in the kubeconfig (as kubectl reads it); every missing one is named.
  // An environment that cannot be read at all (or a --context naming none of its clusters) is the
  // one error: every file would repeat it.
  if (options.env) {
    const environment = readEnvironment(options.env, io.cwd);
    try {
      checkContexts(environment, io.cwd);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      environmentProblem = `environment ${options.env} cannot connect`;
      issues.push({ file: options.env, line: 1, column: 1, path: 'clusters', message: error.message });
    }
  }
  for (const file of files) {
    try {
      const source = readYamlFile(file, io.cwd);
      const { kind, warnings } = check(source, options.env, io.cwd, scripts);
      if (kind === 'scenario' && options.env !== undefined) await checkAgainstClusters(source, options.env, json, io);
      checked.push({ file: source.file, kind, ...(warnings.length > 0 ? { warnings } : {}) });
      if (!json) io.out(`ok  ${source.file}`);
      if (!json) for (const warning of warnings) io.out(`    warning: ${warning}`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      failures += 1;
      issues.push(...error.issues);
      if (error.issues.length === 0)
        issues.push({ file, line: 1, column: 1, path: '', message: error.message, hint: error.hint });
    }
  }
  const problems = [environmentProblem, failures > 0 ? `${failures} of ${files.length} file(s) invalid` : undefined];
  if (problems.some(Boolean)) throw new InputError(`${problems.filter(Boolean).join('; ')}:`, issues);
  if (json) io.out(JSON.stringify({ schemaVersion: outputSchemaVersion, valid: true, files: checked }, null, 2));
}

/** With --env: what a run of this scenario would refuse, read from the clusters themselves. */
async function checkAgainstClusters(source: YamlSource, env: string, json: boolean, io: CliIo): Promise<void> {
  const { scenario, environment } = checkScenario(source, env, io.cwd);
  const clusters = await checkClusters(buildPlan(scenario, environment, 'validate'), io.cwd);
  const refused = refusalIssues(source, source.file, clusters.checks);
  if (refused.length > 0)
    throw new InputError(`${source.file}: ${refused.length} refusal(s) against the clusters`, refused);
  if (json) return;
  if (clusters.unread) io.out(`    (clusters not read: ${clusters.unread})`);
  for (const check of clusters.checks)
    if (check.unread) io.out(`    (fault ${check.faultId} in ${check.cluster} not checked: ${check.unread})`);
}
