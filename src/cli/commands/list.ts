import type { Command } from 'commander';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { checkScenario } from '../../play/load-inputs.js';
import { listYamlFiles, readYamlFile, searchDirs } from '../../input/files.js';

export function registerList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description("list the scenarios in scenarios/ (the current folder's, then the shipped ones)")
    .option('--output <format>', 'text or json', 'text')
    .action((options: { output: string }) => {
      const rows = listYamlFiles(searchDirs('scenarios', io.cwd)).map((file) => {
        try {
          const { scenario } = checkScenario(readYamlFile(file, io.cwd), undefined, io.cwd);
          const faults = scenario.phases.flatMap((phase) => phase.faults.map((fault) => fault.type));
          return {
            name: scenario.name,
            file: scenario.file,
            valid: true,
            expect: scenario.expect,
            faults,
            description: scenario.description.trim(),
          };
        } catch (error) {
          return {
            name: file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
            file,
            valid: false,
            expect: undefined,
            faults: [],
            description: error instanceof InputError ? `INVALID: ${error.message}` : String(error),
          };
        }
      });
      if (options.output === 'json') return io.out(JSON.stringify(rows, null, 2));
      const width = Math.max(4, ...rows.map((row) => row.name.length));
      io.out(`${'NAME'.padEnd(width)}  EXPECT  FAULTS                DESCRIPTION`);
      for (const row of rows) {
        const first = row.description.split('\n')[0] ?? '';
        io.out(
          `${row.name.padEnd(width)}  ${(row.expect ?? '-').padEnd(6)}  ${(row.faults.join(',') || '-').padEnd(20)}  ${first}`,
        );
      }
    });
}
