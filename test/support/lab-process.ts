/**
 * A lab in its own process, as a user starts it: `chaos lab up` with a private state folder and
 * free ingress ports (never the repository's `.chaos/`, never 127.0.0.11:8080), so tests run
 * beside each other and beside a developer's lab. Waits on the state file, not on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLabState, type LabState } from '../../src/lab/index.js';
import { cliEnv, projectRoot } from './cli.js';
import { waitFor } from './wait.js';

export interface LabProcess {
  child: ChildProcess;
  /** The private folder: `state/` holds the lab's state.json and kubeconfig. */
  root: string;
  stateDir: string;
  state: LabState;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** For a `chaos` child that should use this lab. */
  env: NodeJS.ProcessEnv;
  /** SIGTERM, then wait for the exit; SIGKILL if it does not come. Removes the folder. */
  stop(): Promise<number | null>;
}

export async function startLabProcess(extraArgs: readonly string[] = []): Promise<LabProcess> {
  const root = mkdtempSync(path.join(tmpdir(), 'chaos-labproc-'));
  const stateDir = path.join(root, 'state');
  const child = spawn(
    process.execPath,
    [path.join(projectRoot, 'bin/chaos.js'), 'lab', 'up', '--state-dir', stateDir, '--ingress-port', '0', ...extraArgs],
    { cwd: root, env: cliEnv(root), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const stop = async (): Promise<number | null> => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(root, { recursive: true, force: true });
    return exitCode ?? null;
  };
  try {
    const reading = await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error(`chaos lab up exited with ${exitCode}:\n${out}`);
        const found = await readLabState(stateDir);
        return found?.running && found.state.pid === child.pid ? found : undefined;
      },
      { timeoutMs: 120_000, what: `chaos lab up in ${stateDir} to write its state` },
    );
    return {
      child,
      root,
      stateDir,
      state: reading.state,
      output: () => out,
      env: { CHAOS_STATE_DIR: stateDir },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
