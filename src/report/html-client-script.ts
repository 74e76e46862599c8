/**
 * The browser script of report.html and index.html, as text to inline: the classic script that
 * scripts/build-report-client.js compiles from browser/report-client.ts at postinstall and in
 * `npm run build` (TypeScript's own transpiler: no install script of any package involved).
 * Read once, from the package's dist/ whether this code runs from src/ or dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors/errors.js';
import { packageRoot } from '../input/files.js';

const clientScriptFile = path.join(packageRoot, 'dist/report/browser/report-client.js');

let cached: string | undefined;

export function clientScript(): string {
  if (cached !== undefined) return cached;
  try {
    cached = readFileSync(clientScriptFile, 'utf8');
  } catch {
    throw new HarnessError(
      `the report's browser script is missing: ${clientScriptFile}`,
      'run `npm run build` (or `npm ci`, whose postinstall compiles it)',
    );
  }
  return cached;
}
