import type { Command } from 'commander';
import { InputError, formatIssue, type InputIssue } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { checkScenario } from '../../play/load-inputs.js';
import { checkClusters, refusalIssues } from '../../play/check-clusters.js';
import { buildPlan } from '../../run/build-plan.js';
import { validateEnvironment } from '../../environment/validate-environment.js';
import { listYamlFiles, readYamlFile, resolveFileRef, searchDirs } from '../../input/files.js';

/** A file with top-level `clusters` and no `load` is an environment file; anything else a scenario. */
function isEnvironmentFile(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'clusters' in data && !('load' in data);
}

export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check scenario and environment files; reports every problem at once, changes nothing')
    .argument('[paths...]', 'scenario names or files (default: every scenario in scenarios/)')
    .option(
      '--env <name>',
      "check cluster names against this environment instead of each scenario's own, and read its clusters (when it can) for what a run would refuse",
    )
    .action(async (paths: string[], options: { env?: string }) => {
      const files =
        paths.length > 0
          ? paths.map((ref) => resolveFileRef(ref, 'scenarios', 'scenario', io.cwd))
          : listYamlFiles(searchDirs('scenarios', io.cwd));
      const issues: InputIssue[] = [];
      const failures: string[] = [];
      for (const file of files) {
        try {
          const source = readYamlFile(file, io.cwd);
          if (isEnvironmentFile(source.data)) validateEnvironment(source);
          else {
            const { scenario, environment } = checkScenario(source, options.env, io.cwd);
            if (options.env !== undefined) {
              const clusters = await checkClusters(buildPlan(scenario, environment, 'validate'), io.cwd);
              const refused = refusalIssues(source, source.file, clusters.checks);
              if (refused.length > 0)
                throw new InputError(`${source.file}: ${refused.length} refusal(s) against the clusters`, refused);
              if (clusters.unread) io.out(`    (clusters not read: ${clusters.unread})`);
              for (const check of clusters.checks)
                if (check.unread)
                  io.out(`    (fault ${check.faultId} in ${check.cluster} not checked: ${check.unread})`);
            }
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
