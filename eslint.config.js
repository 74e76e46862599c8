// Lint = the floors of src/README.md (imports point down, no cycles), plus a few rules that keep side effects
// at the edge (STYLE.md).
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const clientNode = {
  name: '@kubernetes/client-node',
  message: 'Only src/kube/ talks to the Kubernetes API (STYLE.md: one place imports client-node).',
};
const childProcess = ['node:child_process', 'child_process'].map((name) => ({
  name,
  message: 'Only src/load/ spawns processes (k6, go install); inject a spawner elsewhere.',
}));
const fsModules = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises'].map((name) => ({
  name,
  message: 'This folder is pure: take data in, give data out. Reading and writing files happens at the edge.',
}));

/**
 * The floors of src/, top first. A folder may import only folders below it; together with import-x/no-cycle
 * this keeps one straight spine: command → use case → engine → parts → foundations.
 */
export const floors = [
  'cli',
  'play',
  'report',
  'run',
  'load',
  'faults',
  'environment',
  'lab',
  'kube',
  'scenario',
  'budgets',
  'input',
  'system',
  'errors',
];

/** Relative imports that reach a folder above `folder` (any depth of ../). */
function upwardImports(folder) {
  const above = floors.slice(0, floors.indexOf(folder));
  return above.map((name) => ({
    regex: `^(\\.\\./)+${name}/`,
    message: `src/${folder}/ sits below src/${name}/ (src/README.md): imports point down, never up.`,
  }));
}

/** Per folder: its import restrictions (names) and the upward imports it may not make. */
function floorRules(folder, paths) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns: upwardImports(folder) }] },
  };
}

const pure = [clientNode, ...childProcess, ...fsModules];
const restrictionsOf = {
  cli: [clientNode, ...childProcess],
  play: [clientNode, ...childProcess],
  report: [clientNode, ...childProcess],
  run: [clientNode, ...childProcess],
  load: [clientNode],
  faults: pure,
  environment: [clientNode, ...childProcess],
  lab: [clientNode, ...childProcess],
  kube: [...childProcess],
  scenario: pure,
  budgets: pure,
  input: [clientNode, ...childProcess],
  system: [clientNode, ...childProcess],
  errors: pure,
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'reports/**', '.chaos/**', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'test/tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Exit happens in one place: src/cli/main.ts.' },
      ],
      'no-restricted-imports': ['error', { paths: [clientNode, ...childProcess] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Prettier breaks code at 120; comments and code it cannot break keep the same limit (strings excepted).
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  ...floors.map((folder) => floorRules(folder, restrictionsOf[folder])),
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/cli/main.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests and benches may spawn, read files and use client-node directly to check what the harness did.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      'no-console': 'off',
      'no-restricted-properties': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    files: ['**/*.js'],
    rules: { 'no-console': 'off', 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },
);
