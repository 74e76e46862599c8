/** The scenario files' side of the filesystem: find by name or path, read, list. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorText, InputError } from '../errors/errors.js';
import { suggest } from './suggest.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** The project folder (holds scenarios/, environments/, suites/), whether running from src/ or dist/. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Where names are looked up: the current folder's, then the shipped ones. */
export function searchDirs(folder: string, cwd = process.cwd()): string[] {
  return [...new Set([path.resolve(cwd, folder), path.join(packageRoot, folder)])].filter((dir) => existsSync(dir));
}

export function listYamlFiles(dirs: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    for (const entry of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(entry)) continue;
      const name = entry.replace(/\.ya?ml$/, '');
      if (!byName.has(name)) byName.set(name, path.join(dir, entry));
    }
  }
  return [...byName.values()];
}

/**
 * A name (`frontend-zero`, looked up in scenarios/) or a path (`./my.yaml`).
 * `kind` words the error: "scenario", "environment", "suite".
 */
export function resolveFileRef(ref: string, folder: string, kind: string, cwd = process.cwd()): string {
  const looksLikePath = /[\\/]/.test(ref) || /\.ya?ml$/.test(ref);
  if (looksLikePath) {
    const file = path.resolve(cwd, ref);
    if (!existsSync(file)) throw new InputError(`${kind} file not found: ${ref}`);
    return file;
  }
  const dirs = searchDirs(folder, cwd);
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const file = path.join(dir, ref + ext);
      if (existsSync(file)) return file;
    }
  }
  const known = listYamlFiles(dirs).map((file) => path.basename(file).replace(/\.ya?ml$/, ''));
  throw new InputError(
    `unknown ${kind} "${ref}": no ${folder}/${ref}.yaml in ${dirs.join(' or ') || folder + '/'}`,
    [],
    suggest(ref, known) ?? (known.length ? `known ${kind}s: ${known.join(', ')}` : undefined),
  );
}

export function readYamlFile(file: string, cwd = process.cwd()): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${errorText(error)}`);
  }
  const relative = path.relative(cwd, file);
  return parseYamlSource(relative && !relative.startsWith('..') ? relative : file, text);
}
