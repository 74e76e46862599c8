/**
 * How another process finds a running lab (`chaos lab status`, `chaos lab down`, `chaos run`):
 * `<dir>/state.json` says who runs it and where it listens; the only secret, the token, stays
 * in the kubeconfig file beside it, written 0600.
 */
import { mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LabCluster, RunningLab } from './types.js';
import { processIsAlive } from '../system/processes.js';

export interface LabState {
  version: 1;
  pid: number;
  startedAt: string;
  /** The folder this file is in, absolute: what CHAOS_STATE_DIR or --state-dir should name. */
  stateDir?: string;
  kubeconfig: string;
  namespace: string;
  clusters: LabCluster[];
}

export interface LabStateReading {
  state: LabState;
  /** Whether the recorded process still exists (a stale file survives a kill -9). */
  running: boolean;
  file: string;
}

export const labStateFile = 'state.json';

export { processIsAlive };

/** Where a lab keeps its state unless told otherwise (relative to the working directory). */
export const defaultLabStateDir = '.chaos/lab';
/** Selects a lab's state folder for every command (`--state-dir` wins). */
export const labStateDirEnv = 'CHAOS_STATE_DIR';

/** The lab state folder a command means: its `--state-dir`, else CHAOS_STATE_DIR, else `.chaos/lab`. */
export function resolveLabStateDir(cwd: string, env: NodeJS.ProcessEnv, option?: string): string {
  const chosen = option ?? (env[labStateDirEnv] || undefined) ?? defaultLabStateDir;
  return resolve(cwd, chosen);
}

/** Writes `<dir>/kubeconfig` (0600, or `options.kubeconfigPath`) and `<dir>/state.json`. */
export async function writeLabState(
  dir: string,
  lab: RunningLab,
  options: { kubeconfigPath?: string; pid?: number } = {},
): Promise<LabState> {
  await mkdir(dir, { recursive: true });
  const kubeconfig = resolve(options.kubeconfigPath ?? join(dir, 'kubeconfig'));
  await writeFile(kubeconfig, lab.kubeconfig(), { mode: 0o600 });
  await chmod(kubeconfig, 0o600);
  const state: LabState = {
    version: 1,
    pid: options.pid ?? process.pid,
    startedAt: new Date().toISOString(),
    stateDir: resolve(dir),
    kubeconfig,
    namespace: lab.namespace,
    clusters: lab.clusters,
  };
  await writeFile(join(dir, labStateFile), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  return state;
}

function isLabState(value: unknown): value is LabState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<LabState>;
  return (
    state.version === 1 &&
    typeof state.pid === 'number' &&
    typeof state.kubeconfig === 'string' &&
    Array.isArray(state.clusters)
  );
}

/** The recorded lab, or undefined when there is no (readable) state file. */
export async function readLabState(dir: string): Promise<LabStateReading | undefined> {
  const file = join(dir, labStateFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isLabState(parsed)) return undefined;
  return { state: parsed, running: processIsAlive(parsed.pid), file };
}

/** Removes the state file (and the kubeconfig when it lives in `dir`); for a clean `lab down`. */
export async function removeLabState(dir: string, state?: LabState): Promise<void> {
  await rm(join(dir, labStateFile), { force: true });
  if (state && resolve(state.kubeconfig) === resolve(join(dir, 'kubeconfig')))
    await rm(state.kubeconfig, { force: true });
}
