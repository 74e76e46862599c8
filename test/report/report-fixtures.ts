/** Shared by the report tests: the frozen reports folder, stand-in chart assets, golden files. */
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChartAssets } from '../../src/report/html-page.js';
import { projectRoot } from '../support/cli.js';

export const fixtureReports = path.join(projectRoot, 'test/fixtures/run/reports');
export const goldenDir = path.join(projectRoot, 'test/report/golden');

export const fixtureRuns = {
  failed: '20261130T075014Z-frontend-zero',
  passed: '20261130T075036Z-frontend-zero',
  'negative-control': '20261130T075105Z-ledger-db-zero',
} as const;
export const fixtureBatch = '20261130T075134Z-batch';

/** Goldens use a stand-in for uPlot: the renderer's own output is what is under test. */
export const stubAssets: ChartAssets = { script: '/* uPlot would be inlined here */', css: '/* uPlot styles */' };

export const updating = process.env.UPDATE_GOLDEN === '1';

/** Compare with `golden/<name>`; with UPDATE_GOLDEN=1, (re)write it instead. */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(goldenDir, name);
  if (updating) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `golden file ${path.relative(projectRoot, file)} is missing: run UPDATE_GOLDEN=1 npx mocha ${path.relative(projectRoot, process.argv[1] ?? 'test/report')}`,
    );
  }
  // A readable diff for small files; a first-difference pointer for big ones.
  if (actual !== expected) {
    const at = [...actual].findIndex((ch, i) => ch !== expected[i]);
    expect(
      actual.slice(Math.max(0, at - 200), at + 200),
      `${name} differs from its golden file at character ${at} (UPDATE_GOLDEN=1 regenerates it)`,
    ).to.equal(expected.slice(Math.max(0, at - 200), at + 200));
    expect(actual.length, `${name}: length`).to.equal(expected.length);
  }
}

/** Freeze deeply, so a renderer that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
