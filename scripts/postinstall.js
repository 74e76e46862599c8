// npm postinstall: compile the CLI, then make the pinned k6 v2 available (`chaos setup`).
// A missing Go toolchain must not break `npm ci`: setup explains what to do and `chaos run`
// refuses clearly until k6 is there. Set CHAOS_SKIP_SETUP=1 to skip the k6 step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tsc = 'node_modules/typescript/bin/tsc';
if (!existsSync(tsc)) {
  process.stderr.write(
    'chaos postinstall: typescript is not installed (production install?); skipping build and k6 setup.\n',
  );
  process.exit(0);
}
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
if (process.env.CHAOS_SKIP_SETUP === '1') process.exit(0);
const setup = spawnSync(process.execPath, ['bin/chaos.js', 'setup', '--if-missing'], { stdio: 'inherit' });
if (setup.status !== 0) {
  process.stderr.write(
    'chaos postinstall: k6 is not set up (see above). `chaos run` needs it; run `npm run setup` once it can be built.\n',
  );
}
process.exit(0);
