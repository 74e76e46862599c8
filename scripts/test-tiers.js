#!/usr/bin/env node
/**
 * The fast tier, `npm run test:unit`: every test file that needs no lab, no k6, no kube-apiserver
 * and no built CLI — judged from its source and the test helpers it imports (test/ only, followed
 * through), so a new test joins the tier it belongs to without anyone listing it. A file whose
 * closure starts a lab, looks for k6, boots a real cluster or spawns bin/chaos.js is left to
 * `npm test`, which runs every file (scripts/test-order.js).
 *
 *   node scripts/test-tiers.js unit     # the unit tier's files, one a line
 *   node scripts/test-tiers.js --why    # every test file, its tier, and what makes it slow
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What a file needs, by the calls and imports that give it away. */
const needs = [
  ['lab', /\bstartLab\(|\bstartTestLab\(|\bstartLabProcess\(|\bopenEnvironment\(|\brunScenario\(/],
  ['k6', /\brequireK6\(|\bfindK6\(|\bsetupK6\(/],
  ['kube-apiserver', /\bstartRealCluster\(|\bsharedRealClusters\(|\bstartRealClusters?\(|from '[^']*real-cluster\.js'/],
  // A call of test/support/cli.ts's helpers (where they are defined, they are not called), or a
  // spawn of the bin.
  ['built CLI', /(?<!function )\brunChaos(Async)?\(|path\.join\(projectRoot, 'bin\/chaos\.js'\)/],
];

const files = readdirSync('test', { recursive: true })
  .map((file) => path.posix.join('test', String(file).split(path.sep).join('/')))
  .filter((file) => file.endsWith('.test.ts'))
  .sort();

const sources = new Map();
const read = (file) => {
  if (!sources.has(file)) sources.set(file, existsSync(file) ? readFileSync(file, 'utf8') : '');
  return sources.get(file);
};

/** The test-side files `file` imports, directly or not (relative imports that stay in test/). */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const match of read(file).matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1])).replace(/\.js$/, '.ts');
    if (target.startsWith('test/')) closure(target, seen);
  }
  return seen;
}

function needsOf(file) {
  const found = new Set();
  for (const part of closure(file))
    for (const [name, pattern] of needs)
      if (!(name === 'built CLI' && part === 'test/support/cli.ts') && pattern.test(read(part))) found.add(name);
  return [...found];
}

const mode = process.argv[2] ?? 'unit';
if (mode === '--why') {
  for (const file of files) {
    const found = needsOf(file);
    process.stdout.write(
      `${found.length ? 'full' : 'unit'}  ${file}${found.length ? `  (${found.join(', ')})` : ''}\n`,
    );
  }
} else if (mode === 'unit') {
  // The longest first (mocha --parallel hands files out in this order), the rest in path order.
  const slowestFirst = [
    'test/input/fuzz-inputs.test.ts',
    'test/lint/floors.test.ts',
    'test/play/gameday/control-channel.test.ts',
    'test/budgets/compare.test.ts',
  ];
  const unit = files.filter((file) => needsOf(file).length === 0);
  const ordered = [
    ...slowestFirst.filter((file) => unit.includes(file)),
    ...unit.filter((f) => !slowestFirst.includes(f)),
  ];
  process.stdout.write(ordered.join('\n') + '\n');
} else {
  process.stderr.write(`usage: node scripts/test-tiers.js unit|--why (got "${mode}")\n`);
  process.exit(2);
}
