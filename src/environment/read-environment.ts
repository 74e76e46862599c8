import { readYamlFile, resolveFileRef } from '../input/files.js';
import { labEnvironment } from './lab-environment.js';
import type { Environment } from './types.js';
import { validateEnvironment } from './validate-environment.js';

/** `lab` is built in; any other name is environments/<name>.yaml (or a path). */
export function readEnvironment(ref: string, cwd = process.cwd()): Environment {
  if (ref === 'lab') return labEnvironment();
  return validateEnvironment(readYamlFile(resolveFileRef(ref, 'environments', 'environment', cwd), cwd));
}
