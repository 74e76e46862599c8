/**
 * Reading what reports are rendered from: a run folder's result.json and journal, a batch
 * folder's batch.json, every folder of a reports directory, and the charting library's files.
 * Nothing here writes (write-reports.ts does).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { errorText, InputError } from '../errors/errors.js';
import { journalFileName, readJournal } from '../run/record/journal.js';
import type { ChartAssets } from './html-page.js';
import {
  batchFileName,
  batchRecordSchema,
  type BatchItem,
  type BatchRecord,
  type BatchReport,
  type RunReport,
} from './report-input.js';
import { resultSchema, resultSchemaVersion, type RunResult } from './result-schema.js';
import type { IndexInput } from './run-index.js';

export const resultFileName = 'result.json';

export type ReportFolder = { kind: 'run'; dir: string } | { kind: 'batch'; dir: string };

const issuesOf = (error: z.ZodError) =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`)
    .join('; ');

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** What a folder holds: a run (result.json) or a batch (batch.json). */
export async function classifyFolder(dir: string): Promise<ReportFolder> {
  if (await exists(path.join(dir, resultFileName))) return { kind: 'run', dir };
  if (await exists(path.join(dir, batchFileName))) return { kind: 'batch', dir };
  const hint = (await exists(path.join(dir, journalFileName)))
    ? 'it has a journal but no result.json: the run stopped before it was judged (chaos recover reads its journal)'
    : 'give a folder that chaos run wrote, e.g. reports/20261122T021500Z-frontend-zero, or use --last';
  throw new InputError(`${dir} is not a run or batch folder: no ${resultFileName} or ${batchFileName} in it`, [], hint);
}

export async function readResult(file: string): Promise<RunResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${errorText(error)}`);
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== resultSchemaVersion) {
    throw new InputError(
      `${file} is result format ${String(version)}; this chaos reads format ${resultSchemaVersion}`,
      [],
      'render it with the chaos version that wrote it',
    );
  }
  const checked = resultSchema.safeParse(parsed);
  if (!checked.success)
    throw new InputError(
      `${file} does not match the result format v${resultSchemaVersion}: ${issuesOf(checked.error)}`,
      [],
      'see docs/result.md and schema/result.schema.json',
    );
  return checked.data;
}

export async function readRunReport(dir: string): Promise<RunReport> {
  const result = await readResult(path.join(dir, resultFileName));
  const journalFile = path.join(dir, journalFileName);
  const journal = (await exists(journalFile)) ? (await readJournal(journalFile)).entries : [];
  return { folder: path.basename(dir), result, journal };
}

export async function readBatchRecord(dir: string): Promise<BatchRecord> {
  const file = path.join(dir, batchFileName);
  const checked = batchRecordSchema.safeParse(JSON.parse(await readFile(file, 'utf8')) as unknown);
  if (!checked.success) throw new InputError(`${file} is not a batch record: ${issuesOf(checked.error)}`);
  return checked.data;
}

/** The batch with each scenario's run (read from the folders beside the batch folder). */
export async function readBatchReport(dir: string, batch?: BatchRecord): Promise<BatchReport> {
  const record = batch ?? (await readBatchRecord(dir));
  const items: BatchItem[] = [];
  for (const entry of record.runs) {
    const runDir = entry.folder === null ? undefined : path.join(path.dirname(dir), entry.folder);
    if (runDir && entry.error === undefined && (await exists(path.join(runDir, resultFileName)))) {
      items.push({ kind: 'run', report: await readRunReport(runDir) });
    } else {
      items.push({
        kind: 'error',
        scenario: entry.scenario,
        folder: entry.folder,
        exitCode: entry.exitCode,
        message: entry.error ?? 'the run left no result.json',
      });
    }
  }
  return { folder: path.basename(dir), batch: record, items };
}

/** Every run and batch folder under `reportsDir`, for the index. */
export async function readIndexInput(reportsDir: string): Promise<IndexInput> {
  const input: IndexInput = { runs: [], batches: [], unreadable: [] };
  let folders: string[];
  try {
    folders = (await readdir(reportsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return input;
  }
  for (const folder of folders) {
    const dir = path.join(reportsDir, folder);
    try {
      if (await exists(path.join(dir, resultFileName)))
        input.runs.push({ folder, result: await readResult(path.join(dir, resultFileName)) });
      else if (await exists(path.join(dir, batchFileName)))
        input.batches.push({ folder, batch: await readBatchRecord(dir) });
    } catch (error) {
      input.unreadable.push({ folder, reason: errorText(error).replace(dir, folder) });
    }
  }
  return input;
}

/** The newest run or batch folder (folder names start with a UTC stamp, so they sort by time). */
export async function findLatestFolder(reportsDir: string): Promise<string> {
  let folders: string[] = [];
  try {
    folders = (await readdir(reportsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    // handled below
  }
  for (const folder of folders.reverse()) {
    const dir = path.join(reportsDir, folder);
    if ((await exists(path.join(dir, resultFileName))) || (await exists(path.join(dir, batchFileName)))) return dir;
  }
  throw new InputError(
    `no run folder with a ${resultFileName} in ${reportsDir}`,
    [],
    'run a scenario first (chaos run <scenario>), or pass --reports DIR',
  );
}

/** uPlot's script and styles, inlined into every HTML report so it opens offline. */
export function readChartAssets(): ChartAssets {
  const require = createRequire(import.meta.url);
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
