/**
 * `npm run test:unit` is the fast tier: it takes the files that need no lab, no k6, no
 * kube-apiserver and no built CLI, found from their sources (scripts/test-tiers.js), and nothing
 * `npm test` would not run too.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const list = (script: string, ...args: string[]): string[] =>
  execFileSync(process.execPath, [script, ...args], { encoding: 'utf8' })
    .trim()
    .split('\n');

describe('the fast test tier (npm run test:unit)', () => {
  const unit = list('scripts/test-tiers.js', 'unit');
  const all = list('scripts/test-order.js');

  it('is a part of what npm test runs, and a large one', () => {
    expect(unit.filter((file) => !all.includes(file))).to.deep.equal([]);
    expect(unit.length).to.be.greaterThan(30).and.lessThan(all.length);
  });

  it('leaves out every file that starts a lab, needs k6, boots a kube-apiserver or runs the CLI', () => {
    for (const slow of [
      'test/e2e/run-lab.test.ts', // a lab and k6 through the CLI
      'test/lab/api.test.ts', // a lab in process
      'test/load/user-script.test.ts', // k6
      'test/real-api/guard.test.ts', // kube-apiserver
      'test/cli/lab-state-abuse.test.ts', // the built CLI
    ])
      expect(unit, slow).not.to.include(slow);
  });

  it('keeps the pure files, those reading fixtures, and the browser check of the report', () => {
    for (const fast of [
      'test/budgets/threshold.test.ts',
      'test/report/golden.test.ts',
      'test/report/html-chromium.test.ts',
      'test/load/k6-log.test.ts',
    ])
      expect(unit, fast).to.include(fast);
  });

  it('is what the test:unit script runs', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:unit']).to.include('$(node scripts/test-tiers.js unit)');
    expect(scripts.test).to.include('$(node scripts/test-order.js)');
  });
});
