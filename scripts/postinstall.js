// npm postinstall. Two cases:
//  - a project checkout (`npm ci` in the repository): compile the CLI and the HTML report's browser
//    script (scripts/build-report-client.js: TypeScript's transpiler, no package's install script
//    needed), then make the pinned k6 v2 available (`chaos setup --if-missing`, built into .tools/bin). A missing Go toolchain must not
//    break `npm ci`: setup explains what to do and `chaos run` refuses clearly until k6 is there.
//  - an installed package (`npm install -g chaos`, or as a dependency): dist/ is shipped compiled,
//    so nothing is built here; say how to get k6 (`chaos setup`, into the per-user cache) instead
//    of building it during the install.
// Set CHAOS_SKIP_SETUP=1 to skip the k6 step in a checkout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const checkout = existsSync('src') && existsSync('tsconfig.json');
if (!checkout) {
  process.stdout.write(
    [
      'chaos: installed (compiled CLI included; nothing to build).',
      '  `chaos run` needs k6 v2. `chaos setup` finds one ($K6_BIN, the per-user cache, PATH) or builds the',
      '  pinned version with Go into $XDG_CACHE_HOME/chaos/tools or ~/.cache/chaos/tools (CHAOS_TOOLS_DIR moves it);',
      '  or set K6_BIN=/path/to/k6.',
      '  Try: chaos list',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const tsc = 'node_modules/typescript/bin/tsc';
if (!existsSync(tsc)) {
  process.stderr.write(
    'chaos postinstall: this is a project checkout without its dev dependencies (typescript); run `npm ci` to build it.\n',
  );
  process.exit(0);
}
for (const step of [[tsc, '-p', 'tsconfig.json'], ['scripts/build-report-client.js']]) {
  const build = spawnSync(process.execPath, step, { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
if (process.env.CHAOS_SKIP_SETUP === '1') process.exit(0);
const setup = spawnSync(process.execPath, ['bin/chaos.js', 'setup', '--if-missing'], { stdio: 'inherit' });
if (setup.status !== 0) {
  process.stderr.write(
    'chaos postinstall: k6 is not set up (see above). `chaos run` needs it; run `npm run setup` once it can be built.\n',
  );
}
process.exit(0);
