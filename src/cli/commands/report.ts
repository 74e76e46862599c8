import type { Command } from 'commander';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { classifyFolder, findLatestFolder, readBatchRecord, readChartAssets } from '../../report/read-reports.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';
import { outputOption } from '../options.js';
import { writeBatchReports, writeIndex, writeRunReports } from '../../report/write-reports.js';

interface ReportOptions {
  last?: boolean;
  reports: string;
  output: string;
}

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description(
      "re-render a run's reports (junit.xml, report.html, summary.md) from its journal and result.json, and the reports index",
    )
    .argument('[folder]', 'a run folder (reports/<UTC time>-<scenario>) or a batch folder (reports/<UTC time>-batch)')
    .option('--last', 'the newest run or batch folder in --reports')
    .option('--reports <dir>', 'where run folders are (for --last)', 'reports')
    .addOption(outputOption())
    .action(async (folder: string | undefined, options: ReportOptions) => {
      if ((folder === undefined) === (options.last !== true)) {
        throw new InputError(
          'chaos report: give a run folder or --last (one of them)',
          [],
          'e.g. chaos report reports/20261122T021500Z-frontend-zero, or chaos report --last',
        );
      }
      const dir =
        folder === undefined
          ? await findLatestFolder(path.resolve(io.cwd, options.reports))
          : path.resolve(io.cwd, folder);
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
      if (options.output === 'json')
        io.out(JSON.stringify({ schemaVersion: outputSchemaVersion, written: shown }, null, 2));
      else for (const file of shown) io.out(file);
    });
}
