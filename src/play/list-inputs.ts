/**
 * `chaos list`: the scenarios and suites in the current folder's scenarios/ and suites/, then the
 * shipped ones; an invalid file is listed with its issues, not skipped.
 */
import path from 'node:path';
import { InputError, type InputIssue } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { checkScenario } from './load-inputs.js';
import { readSuite } from './suite/read-suite.js';
import { listYamlFiles, readYamlFile, searchDirs } from '../input/files.js';
import { outputSchemaVersion, type ListOutput } from '../report/output-schemas.js';

/** Why a file is invalid, for a listing: the message and every located issue; anything else is not ours to hide. */
function invalid(error: unknown): { error: string; issues: InputIssue[] } {
  if (!(error instanceof InputError)) throw error;
  return { error: error.message, issues: error.issues.map((issue) => ({ ...issue })) };
}

const nameOf = (file: string) => path.basename(file).replace(/\.ya?ml$/, '');

function listScenarios(io: CliIo): ListOutput['scenarios'] {
  return listYamlFiles(searchDirs('scenarios', io.cwd)).map((file) => {
    try {
      const { scenario } = checkScenario(readYamlFile(file, io.cwd), undefined, io.cwd);
      return {
        name: scenario.name,
        file: scenario.file,
        valid: true,
        expect: scenario.expect,
        faults: scenario.phases.flatMap((phase) => phase.faults.map((fault) => fault.type)),
        description: scenario.description.trim(),
        issues: [],
      };
    } catch (error) {
      return { name: nameOf(file), file, valid: false, expect: null, faults: [], description: '', ...invalid(error) };
    }
  });
}

function listSuites(io: CliIo): ListOutput['suites'] {
  return listYamlFiles(searchDirs('suites', io.cwd)).map((file) => {
    try {
      const suite = readSuite(file, { cwd: io.cwd });
      return {
        name: suite.name,
        file: suite.file,
        valid: true,
        description: suite.description.trim(),
        scenarios: suite.entries.map((entry) => entry.name),
        issues: [],
      };
    } catch (error) {
      return { name: nameOf(file), file, valid: false, description: '', scenarios: [], ...invalid(error) };
    }
  });
}

export function listInputs(json: boolean, io: CliIo): void {
  const document: ListOutput = {
    schemaVersion: outputSchemaVersion,
    scenarios: listScenarios(io),
    suites: listSuites(io),
  };
  if (json) return io.out(JSON.stringify(document, null, 2));
  const rows = document.scenarios;
  const width = Math.max(4, ...rows.map((row) => row.name.length), ...document.suites.map((s) => s.name.length));
  io.out(`${'NAME'.padEnd(width)}  EXPECT  FAULTS                DESCRIPTION`);
  for (const row of rows) {
    const first = row.valid ? (row.description.split('\n')[0] ?? '') : `INVALID: ${row.error}`;
    io.out(
      `${row.name.padEnd(width)}  ${(row.expect ?? '-').padEnd(6)}  ${(row.faults.join(',') || '-').padEnd(20)}  ${first}`,
    );
  }
  if (document.suites.length === 0) return;
  io.out(`\n${'SUITE'.padEnd(width)}  SCENARIOS`);
  for (const suite of document.suites)
    io.out(`${suite.name.padEnd(width)}  ${suite.valid ? suite.scenarios.join(', ') : `INVALID: ${suite.error}`}`);
}
