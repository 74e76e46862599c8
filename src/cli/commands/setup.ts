import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { buildK6, describeCandidates, findK6, inspectK6, pinnedK6Version, toolsDir } from '../../load/k6-binary.js';

export function registerSetup(program: Command, io: CliIo): void {
  program
    .command('setup')
    .description(
      `make k6 v2 available: use $K6_BIN, a tools folder (CHAOS_TOOLS_DIR, ~/.cache/chaos/tools, a checkout's .tools) or PATH, else build ${pinnedK6Version} with Go into ${toolsDir(io.env)}/bin`,
    )
    .option('--if-missing', 'only build when no k6 v2 is found (default: same; kept for scripts)')
    .option('--rebuild', 'build the pinned version even when a k6 v2 is found')
    .action(async (options: { rebuild?: boolean }) => {
      const found = options.rebuild ? undefined : await findK6(io.env);
      if (found) {
        io.out(`k6 ${found.version} found (${found.source}): ${found.path}`);
        return;
      }
      if (!options.rebuild) io.err(`no k6 v2 yet; looked at:\n${describeCandidates(await inspectK6(io.env))}`);
      const built = await buildK6((line) => io.err(line), io.env);
      io.out(`k6 ${built.version} ready: ${built.path}`);
    });
}
