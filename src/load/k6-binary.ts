/**
 * Find, check and (when missing) build the pinned k6 v2.
 * Lookup order: $K6_BIN, the project's tools folder (.tools/bin), then PATH.
 * The version is checked, never assumed: k6 v1 is a different module path and a different CLI.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors/errors.js';
import { packageRoot } from '../input/files.js';
import { runProcess } from './spawn.js';

/** Pinned k6: the newest v2 release the Go module proxy serves here (v2.3.0 answers 403). */
export const pinnedK6Version = 'v2.2.0';
export const k6Module = 'go.k6.io/k6/v2';
/** The git-ignored tools folder; CHAOS_TOOLS_DIR moves it (tests, shared caches). */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHAOS_TOOLS_DIR ? path.resolve(env.CHAOS_TOOLS_DIR) : path.join(packageRoot, '.tools');
}

export interface K6Binary {
  path: string;
  version: string;
  source: 'K6_BIN' | 'tools folder' | 'PATH' | 'built now';
}

export const installHint = [
  'k6 v2 is needed to send load. Either:',
  `  - run \`npm run setup\` in the project folder (needs Go ≥ 1.25: it builds ${k6Module}@${pinnedK6Version} into .tools/bin), or`,
  `  - install Go from https://go.dev/dl/ and then run \`npm run setup\`, or`,
  '  - install k6 v2 yourself (https://grafana.com/docs/k6/latest/set-up/install-k6/) and set K6_BIN=/path/to/k6.',
].join('\n');

/** `k6 v2.2.0 (commit/…, go1.26.8, linux/amd64)` → `v2.2.0`. */
export function parseK6Version(output: string): string | undefined {
  return /\bk6 (v\d+\.\d+\.\d+[^\s]*)/.exec(output)?.[1];
}

export async function probeK6(file: string): Promise<string | undefined> {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return undefined;
  }
  const result = await runProcess(file, ['version'], {
    timeoutMs: 15_000,
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
  });
  if (result.exitCode !== 0) return undefined;
  return parseK6Version(result.stdout + result.stderr);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, name));
}

/** Find a k6 v2; undefined when none of the places has one. A K6_BIN that is not v2 is an error. */
export async function findK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Binary | undefined> {
  if (env.K6_BIN) {
    const version = await probeK6(env.K6_BIN);
    if (!version) throw new HarnessError(`K6_BIN=${env.K6_BIN} is not an executable k6`, installHint);
    if (!version.startsWith('v2.'))
      throw new HarnessError(`K6_BIN=${env.K6_BIN} is k6 ${version}; chaos needs k6 v2`, installHint);
    return { path: env.K6_BIN, version, source: 'K6_BIN' };
  }
  const candidates: Array<[string, K6Binary['source']]> = [
    [path.join(toolsDir(env), 'bin', 'k6'), 'tools folder'],
    ...onPath('k6', env).map((file): [string, K6Binary['source']] => [file, 'PATH']),
  ];
  for (const [file, source] of candidates) {
    const version = await probeK6(file);
    if (version?.startsWith('v2.')) return { path: file, version, source };
  }
  return undefined;
}

export async function requireK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Binary> {
  const found = await findK6(env);
  if (!found) throw new HarnessError('k6 v2 not found (looked at $K6_BIN, .tools/bin/k6 and PATH)', installHint);
  return found;
}

/**
 * `go install module@version` also asks the proxy for the module's version list (to report
 * deprecation), and some proxies answer 404 there; a wrapper module that requires the pinned
 * version and builds its main package needs only the version itself.
 */
function writeWrapperModule(tools: string): string {
  const workDir = path.join(tools, 'build', 'k6');
  mkdirSync(workDir, { recursive: true });
  // Two test-only imports of k6's dependencies are not in its go.mod; pinning them keeps
  // `go mod tidy` from asking the proxy for "latest" (reproducible, and no @v/list needed).
  const requires = [
    `${k6Module} ${pinnedK6Version}`,
    'github.com/fsnotify/fsnotify v1.10.1 // indirect',
    'gopkg.in/tomb.v1 v1.0.0-20141024135613-dd632973f1e7 // indirect',
  ];
  writeFileSync(
    path.join(workDir, 'go.mod'),
    `module chaos.local/k6build\n\ngo 1.25\n\nrequire (\n${requires.map((line) => `\t${line}\n`).join('')})\n`,
  );
  writeFileSync(path.join(workDir, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${k6Module}"\n`);
  return workDir;
}

/** Build the pinned k6 with the Go toolchain into the tools folder, reporting progress. */
export async function buildK6(
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<K6Binary> {
  const go = await runProcess('go', ['version'], { env });
  if (go.startError || go.exitCode !== 0)
    throw new HarnessError('k6 v2 not found, and Go is not installed to build it', installHint);
  const binDir = path.join(toolsDir(env), 'bin');
  mkdirSync(binDir, { recursive: true });
  progress(
    `building k6 ${pinnedK6Version} from the Go module ${k6Module} with ${go.stdout.trim()} (a few minutes the first time)`,
  );
  const started = Date.now();
  const heartbeat = setInterval(
    () => progress(`  still building k6 (${Math.round((Date.now() - started) / 1000)}s)`),
    20_000,
  );
  const buildEnv: NodeJS.ProcessEnv = { ...env, CGO_ENABLED: '0', GOTOOLCHAIN: env.GOTOOLCHAIN ?? 'local' };
  const file = path.join(binDir, 'k6');
  const workDir = writeWrapperModule(toolsDir(env));
  const steps: Array<[string, string[]]> = [
    ['go', ['mod', 'tidy']],
    ['go', ['build', '-trimpath', '-o', file, k6Module]],
  ];
  try {
    for (const [command, args] of steps) {
      const result = await runProcess(command, args, {
        env: buildEnv,
        cwd: workDir,
        onLine: (line) => {
          if (line.trim()) progress(`  ${line}`);
        },
      });
      if (result.exitCode !== 0) {
        throw new HarnessError(
          `building k6 failed (${command} ${args.join(' ')} exited ${result.exitCode})`,
          `${result.stderr.trim().split('\n').slice(-5).join('\n')}\n${installHint}`,
        );
      }
    }
  } finally {
    clearInterval(heartbeat);
  }
  const version = await probeK6(file);
  if (!version?.startsWith('v2.'))
    throw new HarnessError(
      `built ${file} but it does not report a v2 version (${version ?? 'no version'})`,
      installHint,
    );
  progress(`built k6 ${version} in ${Math.round((Date.now() - started) / 1000)}s → ${file}`);
  return { path: file, version, source: 'built now' };
}
