/**
 * A user's k6 script, made runnable under the harness. k6 resolves imports literally (no
 * bare names, no Node resolution), so the script's `import … from 'chaos/k6'` is pointed at our
 * module's absolute path and its relative imports at its own folder, in a copy in the run
 * folder; an entry script next to it gives k6 the harness's scenarios (one per ingress), runs
 * the script's setup once per ingress, and calls its default function (or the function each of
 * its own scenarios names in `exec`) with that ingress's data.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The specifier user scripts import our module by. */
const chaosModuleSpecifier = 'chaos/k6';

const importPattern =
  /(\bimport\s+(?:[^'"`;]*?\s+from\s+)?|\bexport\s+[^'"`;]*?\s+from\s+|\bimport\s*\(\s*)(['"])([^'"]+)\2/g;

/** Point `chaos/k6` at our module and relative imports at the script's own folder. */
export function rewriteImports(source: string, scriptDir: string, chaosModule: string): string {
  return source.replace(importPattern, (whole, lead: string, quote: string, specifier: string) => {
    if (specifier === chaosModuleSpecifier) return `${lead}${quote}${chaosModule}${quote}`;
    if (specifier.startsWith('./') || specifier.startsWith('../'))
      return `${lead}${quote}${path.resolve(scriptDir, specifier)}${quote}`;
    return whole;
  });
}

function entrySource(userCopy: string, chaosModule: string): string {
  return `// Written by chaos for this run: the harness's scenarios around ${path.basename(userCopy)}.
import * as user from '${userCopy}';
import { harnessOptions, runIteration, setupPerIngress, teardownPerIngress } from '${chaosModule}';

export const options = harnessOptions(user);

export function setup() {
  return setupPerIngress(user.setup);
}

// Every scenario runs this; its env names the script's function (its exec) and the ingress.
export function chaosIteration(data) {
  return runIteration(user, data);
}

export function teardown(data) {
  teardownPerIngress(user.teardown, data);
}
`;
}

/** Writes the copy and the entry into `<runDir>/k6-script/`; returns the entry's path. */
export function prepareUserScript(scriptFile: string, chaosModule: string, runDir: string): string {
  const dir = path.join(runDir, 'k6-script');
  mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, path.basename(scriptFile));
  writeFileSync(copy, rewriteImports(readFileSync(scriptFile, 'utf8'), path.dirname(scriptFile), chaosModule));
  const entry = path.join(dir, 'chaos-entry.js');
  writeFileSync(entry, entrySource(copy, chaosModule));
  return entry;
}
