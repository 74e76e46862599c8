/**
 * The one module that writes reports to disk. Every report is rendered from what is on disk
 * (result.json + journal.jsonl, batch.json), never from memory, so `chaos run` and
 * `chaos report` produce the same bytes. Files are written to a temporary name and renamed,
 * so a reader (or a concurrent run rebuilding the index) never sees half a file.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { batchFileName, type BatchRecord } from './report-input.js';
import {
  readBatchReport,
  readChartAssets,
  readIndexInput,
  readResult,
  readRunReport,
  resultFileName,
} from './read-reports.js';
import type { ChartAssets } from './html-page.js';
import { renderRunOpenMetrics } from './metrics/render-openmetrics.js';
import { renderHtml } from './render-html.js';
import { renderIndexHtml } from './render-index.js';
import { renderJunit } from './render-junit.js';
import { renderBatchSummary, renderSummary } from './render-summary.js';
import type { RunResult } from './result-schema.js';
import { buildRunIndex } from './run-index.js';

const reportFiles = { junit: 'junit.xml', html: 'report.html', summary: 'summary.md' } as const;
export const openMetricsFileName = 'metrics.openmetrics.txt';
const indexFiles = { html: 'index.html', json: 'index.json' } as const;

async function writeAtomically(file: string, text: string): Promise<string> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, file);
  return file;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export async function writeResult(runDir: string, result: RunResult): Promise<string> {
  return writeAtomically(path.join(runDir, resultFileName), json(result));
}

/** junit.xml, report.html and summary.md of one run folder, from its result.json and journal. */
export async function writeRunReports(runDir: string, assets: ChartAssets = readChartAssets()): Promise<string[]> {
  const report = await readRunReport(runDir);
  return [
    await writeAtomically(path.join(runDir, reportFiles.junit), renderJunit([{ kind: 'run', report }])),
    await writeAtomically(path.join(runDir, reportFiles.html), renderHtml(report, assets)),
    await writeAtomically(path.join(runDir, reportFiles.summary), renderSummary(report)),
  ];
}

/** The run's series as OpenMetrics text (`--prometheus-rw`, docs/metrics.md), from its result.json. */
export async function writeOpenMetrics(runDir: string): Promise<string> {
  const result = await readResult(path.join(runDir, resultFileName));
  return writeAtomically(path.join(runDir, openMetricsFileName), renderRunOpenMetrics(result));
}

/** The combined junit.xml and summary.md of a batch, from its batch.json and its runs' folders. */
export async function writeBatchReports(batchDir: string): Promise<string[]> {
  const batch = await readBatchReport(batchDir);
  return [
    await writeAtomically(path.join(batchDir, reportFiles.junit), renderJunit(batch.items)),
    await writeAtomically(path.join(batchDir, reportFiles.summary), renderBatchSummary(batch)),
  ];
}

export async function writeBatchRecord(batchDir: string, batch: BatchRecord): Promise<string> {
  return writeAtomically(path.join(batchDir, batchFileName), json(batch));
}

/** reports/index.json and index.html, from every run and batch folder in `reportsDir`. */
export async function writeIndex(reportsDir: string, assets: ChartAssets = readChartAssets()): Promise<string[]> {
  const index = buildRunIndex(await readIndexInput(reportsDir));
  return [
    await writeAtomically(path.join(reportsDir, indexFiles.json), json(index)),
    await writeAtomically(path.join(reportsDir, indexFiles.html), renderIndexHtml(index, assets)),
  ];
}
