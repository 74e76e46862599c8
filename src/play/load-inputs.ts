/**
 * Load what a command works on: a scenario checked against its environment.
 * `--env` wins over the scenario's own `environment`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readEnvironment } from '../environment/read-environment.js';
import type { Environment } from '../environment/types.js';
import { InputError } from '../errors/errors.js';
import { readYamlFile, resolveFileRef } from '../input/files.js';
import { formatPath, type YamlSource } from '../input/yaml-source.js';
import type { Scenario } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate-scenario.js';

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
  const environment = readDeclaredEnvironment(
    source,
    envRef,
    envOverride === undefined && typeof declared === 'string',
    cwd,
  );
  const scenario = validateScenario(
    source,
    {
      name: environment.name,
      clusters: environment.clusters.map((cluster) => cluster.name),
      namespace: environment.namespace,
    },
    textReader(cwd),
  );
  return { scenario, environment };
}

/** An environment named in the file that cannot be read is an issue of that file, at its `environment` field. */
function readDeclaredEnvironment(source: YamlSource, ref: string, fromFile: boolean, cwd: string): Environment {
  try {
    return readEnvironment(ref, cwd);
  } catch (error) {
    if (!fromFile || !(error instanceof InputError) || error.issues.length > 0) throw error;
    const at = ['environment'];
    throw new InputError(`${source.file}: invalid scenario`, [
      { file: source.file, ...source.locate(at), path: formatPath(at), message: error.message, hint: error.hint },
    ]);
  }
}
