/** Run the built CLI (bin/chaos.js) as a user would: a real process, real exit code. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const projectRoot = path.resolve(import.meta.dirname, '../..');

let emptyStateDir: string | undefined;

/**
 * The environment every CLI process of the tests gets: a lab it starts in process listens on
 * free ports, and it never finds the repository's `.chaos/lab` (a developer's `chaos lab up`
 * on the default ports keeps running beside `npm test`). Run from a private cwd, the lab it
 * finds is that cwd's `.chaos/lab`; from the repository, an empty private folder. The test's
 * own env wins.
 */
export function cliEnv(cwd: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.CHAOS_STATE_DIR;
  delete base.CHAOS_LAB_INGRESS_ADDRESS;
  base.CHAOS_LAB_INGRESS_PORT = '0';
  if (path.resolve(cwd) === projectRoot)
    base.CHAOS_STATE_DIR = emptyStateDir ??= mkdtempSync(path.join(tmpdir(), 'chaos-no-lab-'));
  return { ...base, ...env };
}

export function runChaos(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/chaos.js'), ...args], {
    cwd: options.cwd ?? projectRoot,
    env: cliEnv(options.cwd ?? projectRoot, options.env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like runChaos, but without blocking this process: needed when this process serves the lab. */
export function runChaosAsync(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin/chaos.js'), ...args], {
      cwd: options.cwd ?? projectRoot,
      env: cliEnv(options.cwd ?? projectRoot, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
