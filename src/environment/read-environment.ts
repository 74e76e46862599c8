import { InputError } from '../errors/errors.js';
import { readYamlFile, resolveFileRef } from '../input/files.js';
import { applyConnectionOverrides, overridesFromEnv } from './connection-overrides.js';
import { labEnvironment } from './lab-environment.js';
import type { Environment } from './types.js';
import { validateEnvironment } from './validate-environment.js';

/**
 * `lab` is built in; any other name is environments/<name>.yaml (or a path). The command
 * line's --kubeconfig and --context (set as CHAOS_KUBECONFIG and CHAOS_CONTEXT) win over the file.
 */
export function readEnvironment(ref: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Environment {
  if (ref === 'lab') {
    // The lab's clusters are its own (contexts lab-central, lab-west in its state folder): flags
    // that name an environment file's contexts cannot apply, and ignoring them would mislead.
    const overrides = overridesFromEnv(env);
    if (overrides.kubeconfig || overrides.contexts)
      throw new InputError(
        '--kubeconfig and --context (or CHAOS_KUBECONFIG, CHAOS_CONTEXT) apply to an environment file, not to the built-in lab',
        [],
        'pass --env <file> for your clusters, or drop them to use the lab',
      );
    return labEnvironment();
  }
  const environment = validateEnvironment(readYamlFile(resolveFileRef(ref, 'environments', 'environment', cwd), cwd));
  return applyConnectionOverrides(environment, overridesFromEnv(env));
}
