/**
 * Find, check and (when missing) build the pinned k6 v2.
 * Lookup order: $K6_BIN, the tools folders (CHAOS_TOOLS_DIR if set; else the per-user cache
 * $XDG_CACHE_HOME/chaos/tools, then a project checkout's .tools), then PATH. The version is
 * checked, never assumed: k6 v1 is a different module path and a different CLI. Every place
 * looked at is reported with what was there and why it was refused.
 */
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { HarnessError } from '../errors/errors.js';
import { packageRoot } from '../input/files.js';
import { runProcess } from './spawn.js';

/** Pinned k6: the newest v2 release the Go module proxy serves here (v2.3.0 answers 403). */
export const pinnedK6Version = 'v2.2.0';
const k6Module = 'go.k6.io/k6/v2';

/** How chaos was installed: a project checkout (has its sources) or a package (npm install, global or not). */
export type InstallKind = 'checkout' | 'package';

export function installKind(root = packageRoot): InstallKind {
  return existsSync(path.join(root, 'src')) && existsSync(path.join(root, 'tsconfig.json')) ? 'checkout' : 'package';
}

/** The per-user cache ($XDG_CACHE_HOME/chaos/tools, else ~/.cache/chaos/tools): survives upgrades, needs no root. */
export function userToolsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? env.XDG_CACHE_HOME
      : path.join(env.HOME || homedir(), '.cache');
  return path.join(cache, 'chaos', 'tools');
}

/** The tools folders looked in, in order. CHAOS_TOOLS_DIR replaces them all. */
export function toolsDirs(env: NodeJS.ProcessEnv = process.env, root = packageRoot): string[] {
  if (env.CHAOS_TOOLS_DIR) return [path.resolve(env.CHAOS_TOOLS_DIR)];
  const dirs = [userToolsDir(env)];
  if (installKind(root) === 'checkout') dirs.push(path.join(root, '.tools'));
  return dirs;
}

/**
 * Where `chaos setup` builds: CHAOS_TOOLS_DIR; in a project checkout its .tools (as CI and the
 * tests expect); otherwise the per-user cache, never the installed package's folder (root-owned
 * after a global install, and wiped by an upgrade).
 */
export function toolsDir(env: NodeJS.ProcessEnv = process.env, root = packageRoot): string {
  if (env.CHAOS_TOOLS_DIR) return path.resolve(env.CHAOS_TOOLS_DIR);
  return installKind(root) === 'checkout' ? path.join(root, '.tools') : userToolsDir(env);
}

export interface K6Binary {
  path: string;
  version: string;
  source: 'K6_BIN' | 'tools folder' | 'PATH' | 'built now';
}

/** One place looked at, and what was there. */
export interface K6Candidate {
  path: string;
  source: K6Binary['source'];
  /** Set when something answered `k6 version`. */
  version?: string;
  /** Why it was not used; undefined for the one used. */
  refused?: string;
}

export function installHint(env: NodeJS.ProcessEnv = process.env, kind: InstallKind = installKind()): string {
  const target = toolsDir(env);
  const setup =
    kind === 'checkout'
      ? `run \`npm run setup\` in the project folder (needs Go ≥ 1.25: it builds ${k6Module}@${pinnedK6Version} into ${target}/bin)`
      : `run \`chaos setup\` (needs Go ≥ 1.25: it builds ${k6Module}@${pinnedK6Version} into ${target}/bin; CHAOS_TOOLS_DIR moves it)`;
  return [
    'k6 v2 is needed to send load. Either:',
    `  - ${setup}, or`,
    `  - install Go from https://go.dev/dl/ first, then the same, or`,
    '  - install k6 v2 yourself (https://grafana.com/docs/k6/latest/set-up/install-k6/) and set K6_BIN=/path/to/k6.',
  ].join('\n');
}

/** `k6 v2.2.0 (commit/…, go1.26.8, linux/amd64)` → `v2.2.0`. */
export function parseK6Version(output: string): string | undefined {
  return /\bk6 (v\d+\.\d+\.\d+[^\s]*)/.exec(output)?.[1];
}

async function probeK6(file: string): Promise<string | undefined> {
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

async function examine(file: string, source: K6Binary['source']): Promise<K6Candidate> {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return { path: file, source, refused: existsSync(file) ? 'not executable' : 'not there' };
  }
  const version = await probeK6(file);
  if (!version) return { path: file, source, refused: 'does not answer `k6 version` like k6' };
  if (!version.startsWith('v2.')) return { path: file, source, version, refused: `k6 ${version}; chaos needs k6 v2` };
  return { path: file, source, version };
}

/** Every place looked at, in order, up to and including the k6 v2 used (if any). */
export async function inspectK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Candidate[]> {
  if (env.K6_BIN) return [await examine(env.K6_BIN, 'K6_BIN')];
  const places: Array<[string, K6Binary['source']]> = [
    ...toolsDirs(env).map((dir): [string, K6Binary['source']] => [path.join(dir, 'bin', 'k6'), 'tools folder']),
    ...onPath('k6', env).map((file): [string, K6Binary['source']] => [file, 'PATH']),
  ];
  const seen: K6Candidate[] = [];
  for (const [file, source] of places) {
    const candidate = await examine(file, source);
    seen.push(candidate);
    if (!candidate.refused) break;
  }
  return seen;
}

export function describeCandidates(candidates: readonly K6Candidate[]): string {
  return candidates
    .map((c) => `  - ${c.path} (${c.source === 'K6_BIN' ? '$K6_BIN' : c.source}): ${c.refused ?? `k6 ${c.version}`}`)
    .join('\n');
}

/** Find a k6 v2; undefined when none of the places has one. A K6_BIN that is not v2 is an error. */
export async function findK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Binary | undefined> {
  const seen = await inspectK6(env);
  const used = seen.find((candidate) => !candidate.refused);
  if (used) return { path: used.path, version: used.version!, source: used.source };
  const bin = seen[0];
  if (bin?.source === 'K6_BIN')
    throw new HarnessError(
      bin.version
        ? `K6_BIN=${bin.path} is k6 ${bin.version}; chaos needs k6 v2`
        : `K6_BIN=${bin.path} is not an executable k6 (${bin.refused})`,
      installHint(env),
    );
  return undefined;
}

export async function requireK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Binary> {
  const found = await findK6(env);
  if (found) return found;
  const seen = await inspectK6(env);
  const refusedHere = seen.filter((candidate) => candidate.version);
  throw new HarnessError(
    `k6 v2 not found${refusedHere.length ? ` (found ${refusedHere.map((c) => `k6 ${c.version} at ${c.path}`).join(', ')}, refused: chaos needs k6 v2)` : ''}; looked at:\n${describeCandidates(seen)}`,
    installHint(env),
  );
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
    throw new HarnessError(
      `k6 v2 not found, and Go is not installed to build it; looked at:\n${describeCandidates(await inspectK6(env))}`,
      installHint(env),
    );
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
          `${result.stderr.trim().split('\n').slice(-5).join('\n')}\n${installHint(env)}`,
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
      installHint(env),
    );
  progress(`built k6 ${version} in ${Math.round((Date.now() - started) / 1000)}s → ${file}`);
  return { path: file, version, source: 'built now' };
}
