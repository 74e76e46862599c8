#!/usr/bin/env node
/**
 * Compiles the report's browser script (src/report/browser/report-client.ts) into the one classic
 * script that report.html and index.html inline: dist/report/browser/report-client.js.
 *
 * Run by the postinstall of a checkout and by `npm run build`. It uses TypeScript's own
 * transpiler: TypeScript is already a dependency (it builds the CLI) and needs no install script,
 * so whether npm allows a package's install script (npm 11's allowScripts) never decides whether
 * the HTML report works. No bundler is needed: the client imports only types (erased here) and
 * uPlot arrives as a global inlined before it. Should a runtime import ever appear, this refuses
 * to write a script the browser could not run. Type-checking stays in `npm run build`
 * (`tsc -p src/report/browser/tsconfig.json`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceName = 'src/report/browser/report-client.ts';
const outFile = path.join(root, 'dist/report/browser/report-client.js');

const source = readFileSync(path.join(root, sourceName), 'utf8');
const { outputText, diagnostics } = ts.transpileModule(source, {
  fileName: sourceName,
  reportDiagnostics: true,
  compilerOptions: {
    target: ts.ScriptTarget.ES2020,
    // Preserve: type-only imports and exports vanish without an `export {}` left behind.
    module: ts.ModuleKind.Preserve,
    removeComments: true,
    newLine: ts.NewLineKind.LineFeed,
  },
});
const problems = (diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
const compiled = ts.createSourceFile('report-client.js', outputText, ts.ScriptTarget.ES2020, false, ts.ScriptKind.JS);
for (const statement of compiled.statements) {
  if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
    problems.push(
      `a runtime import or export is left (${statement.getText(compiled).slice(0, 80)}): the report inlines one classic script, so the client may import types only`,
    );
  }
}
if (problems.length > 0) {
  process.stderr.write(`chaos: cannot compile ${sourceName}:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
const body = outputText
  .trimEnd()
  .split('\n')
  .map((line) => (line ? `  ${line}` : line))
  .join('\n');
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `"use strict";\n(() => {\n  // ${sourceName}\n${body}\n})();\n`);
