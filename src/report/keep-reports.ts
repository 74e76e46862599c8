/**
 * Reports that keep: a run folder's raw data compressed once its reports are written, and old
 * folders pruned with their summary line kept in the index (`reports/pruned.json`). Besides
 * write-reports.ts, the one module of report/ that changes files: it only compresses, appends to
 * pruned.json and removes whole run folders that have a result (a journal without a result may be
 * a run `chaos recover` still needs; it is never pruned).
 */
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, createGzip } from 'node:zlib';
import { prunedFileName, readBatchRecord, readIndexInput, readPruned, resultFileName } from './read-reports.js';
import { summarizeRun } from './run-index.js';

/** What reports and CI read as they are: never compressed. */
const plainFiles = new Set([
  resultFileName,
  'journal.jsonl',
  'junit.xml',
  'report.html',
  'summary.md',
  'k6-config.json',
]);
/** Always compressed (k6's raw output); anything else not plain is compressed from this size on. */
const rawFiles = new Set(['k6-samples.json', 'k6-records.log']);
const bigFileBytes = 256 * 1024;

/** A file of a run folder as it was written, whether it is kept plain or as `<name>.gz`. */
export function readRunFile(runDir: string, name: string): Buffer {
  const plain = path.join(runDir, name);
  return existsSync(plain) ? readFileSync(plain) : gunzipSync(readFileSync(`${plain}.gz`));
}

/** Gzips the raw files of a run folder (checked by reading back) and removes the originals. */
export async function compressRawFiles(
  runDir: string,
): Promise<Array<{ file: string; before: number; after: number }>> {
  const done: Array<{ file: string; before: number; after: number }> = [];
  for (const entry of await readdir(runDir, { withFileTypes: true })) {
    if (!entry.isFile() || plainFiles.has(entry.name) || entry.name.endsWith('.gz') || entry.name.startsWith('.'))
      continue;
    const file = path.join(runDir, entry.name);
    const before = (await stat(file)).size;
    if (!rawFiles.has(entry.name) && before < bigFileBytes) continue;
    const temporary = path.join(runDir, `.${entry.name}.gz.${process.pid}.tmp`);
    await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(temporary));
    const original = await readFile(file);
    if (!gunzipSync(await readFile(temporary)).equals(original)) {
      await rm(temporary, { force: true });
      throw new Error(`compressing ${file}: the compressed copy does not read back the same`);
    }
    await rename(temporary, `${file}.gz`);
    await rm(file);
    done.push({ file: entry.name, before, after: (await stat(`${file}.gz`)).size });
  }
  return done;
}

export interface PrunePolicy {
  /** Keep the newest N runs. */
  keep?: number;
  /** Prune runs that started longer ago than this. */
  maxAgeMs?: number;
  now: number;
}

/** Which run folders a policy prunes: beyond the newest `keep`, or older than `maxAgeMs`. Pure. */
export function chooseRunsToPrune(
  runs: ReadonlyArray<{ folder: string; startedAt: string }>,
  policy: PrunePolicy,
): string[] {
  const newestFirst = [...runs].sort((a, b) => b.folder.localeCompare(a.folder));
  return newestFirst
    .filter(
      (run, index) =>
        (policy.keep !== undefined && index >= policy.keep) ||
        (policy.maxAgeMs !== undefined && policy.now - Date.parse(run.startedAt) > policy.maxAgeMs),
    )
    .map((run) => run.folder)
    .sort();
}

/** Prunes run folders (their summary line kept in pruned.json first) and batch folders left with no run. */
export async function pruneReports(reportsDir: string, policy: PrunePolicy): Promise<string[]> {
  const input = await readIndexInput(reportsDir);
  const chosen = new Set(
    chooseRunsToPrune(
      input.runs.map((r) => ({ folder: r.folder, startedAt: r.result.startedAt })),
      policy,
    ),
  );
  if (chosen.size === 0) return [];
  const kept = await readPruned(reportsDir);
  const summaries = input.runs
    .filter((r) => chosen.has(r.folder))
    .map((r) => ({ ...summarizeRun(r.folder, r.result), pruned: true }));
  const runs = [...kept.filter((r) => !chosen.has(r.folder)), ...summaries].sort((a, b) =>
    a.folder.localeCompare(b.folder),
  );
  const temporary = path.join(reportsDir, `.${prunedFileName}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify({ schemaVersion: 1, runs }, null, 2)}\n`, 'utf8');
  await rename(temporary, path.join(reportsDir, prunedFileName));
  for (const folder of chosen) await rm(path.join(reportsDir, folder), { recursive: true, force: true });
  const removed = [...chosen];
  for (const { folder } of input.batches) {
    const batch = await readBatchRecord(path.join(reportsDir, folder));
    const alive = await Promise.all(
      batch.runs.map(
        (run) =>
          run.folder !== null &&
          stat(path.join(reportsDir, run.folder, resultFileName)).then(
            () => true,
            () => false,
          ),
      ),
    );
    if (!alive.some(Boolean) && batch.runs.some((run) => run.folder !== null && chosen.has(run.folder))) {
      await rm(path.join(reportsDir, folder), { recursive: true, force: true });
      removed.push(folder);
    }
  }
  return removed.sort();
}
