#!/usr/bin/env node
// The published entry point: runs the compiled CLI. `npm run build` (run by postinstall) produces dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'chaos: the CLI is not built yet. Run `npm run build` (or `npm ci`) in the project folder first.\n',
  );
  process.exit(3);
}
const { runCli } = await import(main.href);
await runCli();
