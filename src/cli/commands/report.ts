import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { rerenderReports } from '../../play/rerender-reports.js';
import { outputOption } from '../options.js';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import { pruneReportsDir, retentionFrom } from '../../play/prune-reports.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';

interface ReportOptions {
  last?: boolean;
  prune?: boolean;
  keep?: string;
  maxAge?: string;
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
    .option(
      '--prune',
      "remove old run folders from --reports, keeping each one's line in the index (docs/retention.md)",
    )
    .option('--keep <n>', 'with --prune: keep the newest N runs')
    .option('--max-age <age>', 'with --prune: remove runs older than this, e.g. 30d')
    .addOption(outputOption())
    .action(async (folder: string | undefined, options: ReportOptions) => {
      if (!options.prune)
        return rerenderReports(
          folder,
          { last: options.last, reports: options.reports, json: options.output === 'json' },
          io,
        );
      if (folder !== undefined || options.last)
        throw new InputError('--prune works on the whole --reports folder: give no run folder and no --last');
      const removed = await pruneReportsDir(path.resolve(io.cwd, options.reports), retentionFrom(options));
      const shown = removed.map((dir) => path.relative(io.cwd, dir) || dir);
      if (options.output === 'json')
        io.out(JSON.stringify({ schemaVersion: outputSchemaVersion, pruned: shown }, null, 2));
      else io.out(shown.length === 0 ? 'nothing to prune' : shown.map((dir) => `pruned ${dir}/`).join('\n'));
    });
}
