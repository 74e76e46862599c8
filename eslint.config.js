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
  'guard',
  'run',
  'load',
  'scenario',
  'faults',
  'environment',
  'lab',
  'kube',
  'budgets',
  'input',
  'system',
  'errors',
];

/**
 * Rooms inside a floor, top first (src/run/README.md): the files at the top of the floor compose the rooms, a room
 * imports only rooms below it (and never the files at the top).
 */
export const rooms = {
  run: ['judge', 'timeline', 'session', 'recover', 'plan', 'record'],
};

/** Relative imports that reach a folder above `folder` (any depth of ../). */
function upwardImports(folder) {
  const above = floors.slice(0, floors.indexOf(folder));
  return above.map((name) => ({
    regex: `^(\\.\\./)+${name}/`,
    message: `src/${folder}/ sits below src/${name}/ (src/README.md): imports point down, never up.`,
  }));
}

/** From a room of `folder`: the rooms above it and the floor's top files. */
function upwardRoomImports(folder, room) {
  const list = rooms[folder];
  const above = list.slice(0, list.indexOf(room));
  const message = (what) => `src/${folder}/${room}/ sits below ${what} (src/${folder}/README.md): imports point down.`;
  return [
    ...above.map((name) => ({
      regex: `^(\\.\\./)(\\.\\./${folder}/)?${name}/`,
      message: message(`${folder}/${name}/`),
    })),
    { regex: `^\\.\\./(\\.\\./${folder}/)?[^/]+$`, message: message(`the files at the top of src/${folder}/`) },
  ];
}

/**
 * The same restrictions for `import()`: no-restricted-imports sees only static imports. esquery's regex literals
 * cannot hold a slash, hence \x2F.
 */
function dynamicImportRules(patterns) {
  return [
    ...patterns.map(({ regex, message }) => ({
      selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
      message,
    })),
    {
      selector: 'ImportExpression[source.type!="Literal"]',
      message: 'import() takes a literal path, so lint can see it.',
    },
  ];
}

function importRules(paths, patterns) {
  return {
    'no-restricted-imports': ['error', { paths, patterns }],
    'no-restricted-syntax': ['error', ...dynamicImportRules(patterns)],
  };
}

/** Per folder: its import restrictions (names) and the upward imports it may not make, static or dynamic. */
function floorRules(folder, paths) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: importRules(paths, upwardImports(folder)),
  };
}

/** Per room of a floor: the floor's rules plus the rooms above it. */
function roomRules(folder, room, paths) {
  return {
    files: [`src/${folder}/${room}/**/*.ts`],
    rules: importRules(paths, [...upwardImports(folder), ...upwardRoomImports(folder, room)]),
  };
}

const pure = [clientNode, ...childProcess, ...fsModules];
const restrictionsOf = {
  cli: [clientNode, ...childProcess],
  play: [clientNode, ...childProcess],
  report: [clientNode, ...childProcess],
  guard: [clientNode, ...childProcess],
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
  ...Object.entries(rooms).flatMap(([folder, names]) =>
    names.map((room) => roomRules(folder, room, restrictionsOf[folder])),
  ),
  {
    // k6's linter (funlen) allows 80 lines; a longer function is several steps that want names.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
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
