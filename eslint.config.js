// Lint = the import boundaries of STYLE.md, plus a few rules that keep side effects at the edge.
import tseslint from 'typescript-eslint';

const restrict = (paths, patterns = []) => ['error', { paths, patterns }];
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

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'reports/**', '.chaos/**', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Exit happens in one place: src/cli/main.ts.' },
      ],
      'no-restricted-imports': restrict([clientNode, ...childProcess]),
    },
  },
  {
    files: ['src/kube/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([...childProcess]) },
  },
  {
    files: ['src/load/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([clientNode]) },
  },
  {
    files: ['src/budgets/**/*.ts', 'src/faults/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([clientNode, ...childProcess, ...fsModules]) },
  },
  {
    files: ['src/scenario/**/*.ts'],
    ignores: ['src/scenario/read-*.ts'],
    rules: { 'no-restricted-imports': restrict([clientNode, ...childProcess, ...fsModules]) },
  },
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
