import path from 'node:path';
import type { Command } from 'commander';
import { InputError, formatIssue, type InputIssue } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { checkScenario } from '../../play/load-inputs.js';
import { validateEnvironment } from '../../environment/validate-environment.js';
import { listYamlFiles, readYamlFile, resolveFileRef, searchDirs } from '../../input/files.js';
import { typeCheckScript } from '../../load/type-check-script.js';
import { checkContexts } from '../../environment/connection-overrides.js';
import { readEnvironment } from '../../environment/read-environment.js';

/** A file with top-level `clusters` and no `load` is an environment file; anything else a scenario. */
function isEnvironmentFile(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'clusters' in data && !('load' in data);
}

export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check scenario and environment files; reports every problem at once, changes nothing')
    .argument('[paths...]', 'scenario names or files (default: every scenario in scenarios/)')
    .option('--env <name>', "check cluster names against this environment instead of each scenario's own")
    .action((paths: string[], options: { env?: string }) => {
      const files =
        paths.length > 0
          ? paths.map((ref) => resolveFileRef(ref, 'scenarios', 'scenario', io.cwd))
          : listYamlFiles(searchDirs('scenarios', io.cwd));
      const issues: InputIssue[] = [];
      const failures: string[] = [];
      const checked = new Map<string, ReturnType<typeof typeCheckScript>>();
      // --env: its contexts exist in the kubeconfig (as kubectl reads it); every missing one is named.
      if (options.env) {
        try {
          checkContexts(readEnvironment(options.env, io.cwd), io.cwd);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          failures.push(error.message);
          issues.push({ file: options.env, line: 1, column: 1, path: 'clusters', message: error.message });
        }
      }
      for (const file of files) {
        try {
          const source = readYamlFile(file, io.cwd);
          if (isEnvironmentFile(source.data)) validateEnvironment(source);
          else {
            const { scenario } = checkScenario(source, options.env, io.cwd);
            // A user's k6 script is type-checked as its editor would (k6 only strips types).
            const script = scenario.load.script?.file;
            // Scenarios often share a script: each is type-checked once per invocation.
            const problems = script
              ? (checked.get(script) ?? checked.set(script, typeCheckScript(script)).get(script)!)
              : [];
            if (problems.length > 0)
              throw new InputError(
                `${source.file}: its k6 script does not type-check`,
                problems.map((problem) => ({
                  file: path.relative(io.cwd, problem.file) || problem.file,
                  line: problem.line,
                  column: problem.column,
                  path: 'load.script',
                  message: problem.message,
                })),
              );
          }
          io.out(`ok  ${source.file}`);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          failures.push(error.message);
          issues.push(...error.issues);
          if (error.issues.length === 0)
            issues.push({ file, line: 1, column: 1, path: '', message: error.message, hint: error.hint });
        }
      }
      if (failures.length > 0) {
        throw new InputError(
          `${failures.length} of ${files.length} file(s) invalid:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`,
        );
      }
    });
}
