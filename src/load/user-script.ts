/**
 * A user's k6 script, made runnable under the harness. k6 resolves imports literally (no
 * bare names, no Node resolution), so the script's `import … from 'chaos/k6'` is pointed at our
 * module's absolute path and its relative imports at its own folder, in a copy in the run
 * folder; an entry script next to it gives k6 the harness's scenarios (one per ingress), runs
 * the script's setup once per ingress, and calls its default function (or the function each of
 * its own scenarios names in `exec`) with that ingress's data.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a user's imports go under the harness: `chaos/k6` to our module, and k6's own `k6`,
 * `k6/http` and `k6/metrics` to thin wrappers next to it (script/k6-core.ts, k6-http.ts,
 * k6-metrics.ts) that are those modules unchanged plus the compact record of every request,
 * check and metric value. Every other k6 module is left alone.
 */
export function moduleTargets(chaosModule: string): Record<string, string> {
  const dir = path.dirname(chaosModule);
  return {
    'chaos/k6': chaosModule,
    k6: path.join(dir, 'k6-core.ts'),
    'k6/http': path.join(dir, 'k6-http.ts'),
    'k6/metrics': path.join(dir, 'k6-metrics.ts'),
  };
}

const importPattern =
  /(\bimport\s+(?:[^'"`;]*?\s+from\s+)?|\bexport\s+[^'"`;]*?\s+from\s+|\bimport\s*\(\s*)(['"])([^'"]+)\2/g;

/** Points the targets' specifiers at their files and relative imports where `relative` says. */
export function rewriteImports(
  source: string,
  targets: Record<string, string>,
  relative: (specifier: string) => string,
): string {
  return source.replace(importPattern, (whole, lead: string, quote: string, specifier: string) => {
    const target = targets[specifier];
    if (target) return `${lead}${quote}${target}${quote}`;
    if (specifier.startsWith('./') || specifier.startsWith('../'))
      return `${lead}${quote}${relative(specifier)}${quote}`;
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

/**
 * Writes the copies and the entry into `<runDir>/k6-script/`; returns the entry's path. The
 * script and every module it reaches by a relative import are copied with their imports
 * rewritten (a helper module's `k6/http` requests are recorded too), keeping their layout
 * relative to the script's folder (a module outside it goes under `_outside/`).
 */
export function prepareUserScript(scriptFile: string, chaosModule: string, runDir: string): string {
  const dir = path.join(runDir, 'k6-script');
  const root = path.dirname(path.resolve(scriptFile));
  const targets = moduleTargets(chaosModule);
  const placeOf = (file: string): string => {
    const relative = path.relative(root, file);
    return relative.startsWith('..') || path.isAbsolute(relative)
      ? path.join(dir, '_outside', file)
      : path.join(dir, relative);
  };
  const copied = new Set<string>();
  const copy = (file: string): void => {
    if (copied.has(file)) return;
    copied.add(file);
    const source = rewriteImports(readFileSync(file, 'utf8'), targets, (specifier) => {
      const target = path.resolve(path.dirname(file), specifier);
      if (!/\.(m?[jt]s|cjs)$/.test(target) || !existsSync(target)) return target;
      copy(target);
      return placeOf(target);
    });
    mkdirSync(path.dirname(placeOf(file)), { recursive: true });
    writeFileSync(placeOf(file), source);
  };
  copy(path.resolve(scriptFile));
  const entry = path.join(dir, 'chaos-entry.js');
  writeFileSync(entry, entrySource(placeOf(path.resolve(scriptFile)), chaosModule));
  return entry;
}
