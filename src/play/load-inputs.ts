/**
 * Load what a command works on: a scenario checked against its environment.
 * `--env` wins over the scenario's own `environment`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readEnvironment } from '../environment/read-environment.js';
import type { Environment } from '../environment/types.js';
import { readYamlFile, resolveFileRef } from '../input/files.js';
import type { Scenario } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate-scenario.js';
import type { YamlSource } from '../input/yaml-source.js';

export interface LoadedScenario {
  scenario: Scenario;
  environment: Environment;
}

export function loadScenario(ref: string, envOverride: string | undefined, cwd: string): LoadedScenario {
  const source = readYamlFile(resolveFileRef(ref, 'scenarios', 'scenario', cwd), cwd);
  return checkScenario(source, envOverride, cwd);
}

/** A scenario's k6 script, read for validation (what metrics and tags it produces); relative to `cwd`. */
function textReader(cwd: string) {
  return (file: string) => {
    const absolute = path.resolve(cwd, file);
    return existsSync(absolute) ? { path: absolute, text: readFileSync(absolute, 'utf8') } : undefined;
  };
}

export function checkScenario(source: YamlSource, envOverride: string | undefined, cwd: string): LoadedScenario {
  const declared = (source.data as { environment?: unknown } | null)?.environment;
  const envRef = envOverride ?? (typeof declared === 'string' ? declared : 'lab');
  const environment = readEnvironment(envRef, cwd);
  const scenario = validateScenario(
    source,
    { name: environment.name, clusters: environment.clusters.map((cluster) => cluster.name) },
    textReader(cwd),
  );
  return { scenario, environment };
}
