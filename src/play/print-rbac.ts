/** `chaos rbac`: read the environment and scenarios, print the generated manifests. */
import { readEnvironment } from '../environment/read-environment.js';
import type { CliIo } from '../system/io.js';
import { loadScenario } from './load-inputs.js';
import { rbacManifests, rbacScope } from './rbac-manifests.js';

export function printRbac(options: { env: string; scenarios: string[]; namespaces: string[] }, io: CliIo): void {
  const cwd = process.cwd();
  const environment = readEnvironment(options.env, cwd);
  const scenarios = options.scenarios.map((ref) => loadScenario(ref, options.env, cwd).scenario);
  io.out(rbacManifests(environment, rbacScope(environment, scenarios, options.namespaces)).trimEnd());
}
