/**
 * How much a reports folder shrinks when its raw data is compressed as a run's end does it
 * (src/report/keep-reports.ts): copies the folder, compresses every run folder, sums bytes.
 *   npx tsx bench/report-compression.ts <reports folder>
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compressRawFiles } from '../src/report/keep-reports.js';

function bytesOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesOf(file) : statSync(file).size;
  }
  return total;
}

const source = process.argv[2];
if (!source) throw new Error('usage: npx tsx bench/report-compression.ts <reports folder>');
const copy = mkdtempSync(path.join(tmpdir(), 'chaos-compress-bench-'));
try {
  cpSync(source, copy, { recursive: true });
  const before = bytesOf(copy);
  const runs = readdirSync(copy, { withFileTypes: true }).filter((d) => d.isDirectory());
  const started = Date.now();
  for (const run of runs) await compressRawFiles(path.join(copy, run.name));
  const after = bytesOf(copy);
  const mb = (n: number) => (n / 1e6).toFixed(2);
  console.log(
    `${runs.length} folders: ${mb(before)} MB → ${mb(after)} MB (${((after / before) * 100).toFixed(1)} %) in ${Date.now() - started} ms`,
  );
} finally {
  rmSync(copy, { recursive: true, force: true });
}
