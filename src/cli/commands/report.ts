import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { rerenderReports } from '../../play/rerender-reports.js';
import { outputOption } from '../options.js';

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
    .action((folder: string | undefined, options: ReportOptions) =>
      rerenderReports(folder, { last: options.last, reports: options.reports, json: options.output === 'json' }, io),
    );
}
