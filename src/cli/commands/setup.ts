import type { Command } from 'commander';
import type { CliIo } from '../../system/io.js';
import { pinnedK6Version, toolsDir } from '../../load/k6-binary.js';
import { setupK6 } from '../../play/setup-k6.js';

export function registerSetup(program: Command, io: CliIo): void {
  program
    .command('setup')
    .description(
      `make k6 v2 available: use $K6_BIN, a tools folder (CHAOS_TOOLS_DIR, ~/.cache/chaos/tools, a checkout's .tools) or PATH, else build ${pinnedK6Version} with Go into ${toolsDir(io.env)}/bin`,
    )
    .option('--if-missing', 'only build when no k6 v2 is found (default: same; kept for scripts)')
    .option('--rebuild', 'build the pinned version even when a k6 v2 is found')
    .action((options: { rebuild?: boolean }) => setupK6(options, io));
}
