/**
 * `chaos report`: re-render a run's reports (or every run of a batch, then the batch's own) from
 * what the run wrote — its journal and result.json — and refresh the reports index.
 */
import path from 'node:path';
import { InputError } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { classifyFolder, findLatestFolder, readBatchRecord, readChartAssets } from '../report/read-reports.js';
import { outputSchemaVersion } from '../report/output-schemas.js';
import { writeBatchReports, writeIndex, writeRunReports } from '../report/write-reports.js';

export interface RerenderOptions {
  /** The newest run or batch folder in `reports` instead of `folder`. */
  last?: boolean;
  reports: string;
  json: boolean;
}

export async function rerenderReports(folder: string | undefined, options: RerenderOptions, io: CliIo): Promise<void> {
  if ((folder === undefined) === (options.last !== true)) {
    throw new InputError(
      'chaos report: give a run folder or --last (one of them)',
      [],
      'e.g. chaos report reports/20261122T021500Z-frontend-zero, or chaos report --last',
    );
  }
  const dir =
    folder === undefined ? await findLatestFolder(path.resolve(io.cwd, options.reports)) : path.resolve(io.cwd, folder);
  const target = await classifyFolder(dir);
  const assets = readChartAssets();
  const written: string[] = [];
  if (target.kind === 'run') written.push(...(await writeRunReports(dir, assets)));
  else {
    for (const run of (await readBatchRecord(dir)).runs) {
      if (run.folder === null || run.error !== undefined) continue;
      const runDir = path.join(path.dirname(dir), run.folder);
      if ((await classifyFolder(runDir).catch(() => undefined))?.kind === 'run')
        written.push(...(await writeRunReports(runDir, assets)));
    }
    written.push(...(await writeBatchReports(dir)));
  }
  written.push(...(await writeIndex(path.dirname(dir), assets)));
  const shown = written.map((file) => path.relative(io.cwd, file) || file);
  if (options.json) io.out(JSON.stringify({ schemaVersion: outputSchemaVersion, written: shown }, null, 2));
  else for (const file of shown) io.out(file);
}
