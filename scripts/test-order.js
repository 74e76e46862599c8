#!/usr/bin/env node
/**
 * Prints every test file for `npm test`, the slowest first. mocha --parallel hands files to its
 * workers in the order given, so a two-minute file started last keeps the whole run waiting
 * while the other workers idle; started first, it overlaps with the many short files. The list
 * below is the files that took longest in a measured run (bench/RESULTS.md, "npm test"); any
 * other file follows in path order, so a new test is never left out.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const slowestFirst = [
  'test/play/suite/suite-run.test.ts',
  'test/e2e/run-lab.test.ts',
  'test/e2e/verdict-outcomes.test.ts',
  'test/e2e/ways-out.test.ts',
  // Fifth, not third: four workers start at once, and booting two kube-apiservers beside three
  // load runs starved them (a CI rehearsal's first run timed out requests on both ingresses).
  'test/real-api/guard.test.ts',
  // Three real-k6 runs of the shipped mesh scenarios, about three minutes (issue 28).
  'test/e2e/mesh-scenarios.test.ts',
  'test/cli/output-json.test.ts',
  'test/e2e/connection-flags.test.ts',
  'test/e2e/api-away.test.ts',
  'test/e2e/labs-side-by-side.test.ts',
  'test/cli/cli-foundation.test.ts',
  'test/cli/lab-state-abuse.test.ts',
  'test/cli/suites-and-options.test.ts',
  'test/deploy/package.test.ts',
  'test/e2e/run-signals.test.ts',
  'test/e2e/lock-scope.test.ts',
  'test/e2e/lab-guard.test.ts',
  'test/deploy/rbac-run.test.ts',
  'test/cli/recover-after-kill.test.ts',
  'test/e2e/k6-failures.test.ts',
  'test/report/secrets.test.ts',
  'test/e2e/kill-mid-revert.test.ts',
  'test/e2e/kill-and-recover.test.ts',
];

const all = readdirSync('test', { recursive: true })
  .map((file) => path.posix.join('test', String(file).split(path.sep).join('/')))
  .filter((file) => file.endsWith('.test.ts'))
  .sort();
const known = slowestFirst.filter((file) => all.includes(file));
const rest = all.filter((file) => !known.includes(file));
process.stdout.write([...known, ...rest].join('\n') + '\n');
