/**
 * `chaos validate` type-checks a user's k6 script with tsc, as its editor would: k6's types
 * (@types/k6), our `chaos/k6` module, no Node or DOM globals. k6 itself only strips types, so
 * this is where a wrong call is caught before a run. TypeScript is loaded only when a script
 * is checked (it is large, and most commands never need it).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../input/files.js';
import { chaosModulePath } from './k6-args.js';

export interface ScriptProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function typeCheckScript(file: string): ScriptProblem[] {
  const require = createRequire(import.meta.url);
  const ts = require('typescript') as typeof import('typescript');
  const options: import('typescript').CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    allowJs: true,
    checkJs: false,
    skipLibCheck: true,
    types: ['k6'],
    typeRoots: [path.join(packageRoot, 'node_modules', '@types')],
    lib: ['lib.es2022.d.ts'],
    baseUrl: path.dirname(file),
    paths: { 'chaos/k6': [path.join(packageRoot, chaosModulePath)] },
  };
  const program = ts.createProgram([file], options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return { file, line: 1, column: 1, message };
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return {
      file: diagnostic.file.fileName,
      line: line + 1,
      column: character + 1,
      message: `TS${diagnostic.code}: ${message}`,
    };
  });
}
