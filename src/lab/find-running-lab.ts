/**
 * The running lab a state folder records, checked before anyone connects to it (`chaos run`,
 * `plan`, `validate --env lab`, `recover`, `guard`): its state file readable and its own, its
 * process alive, its kubeconfig there and pointing at this lab's API servers. Every way a state
 * folder can be wrong — missing, a corrupt or foreign state.json, a dead process, a deleted,
 * corrupt or swapped kubeconfig — is a LabStateError (exit 3) that names the file, says what is
 * wrong and how to get out of it; never an ENOENT with a stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { HarnessError } from '../errors/errors.js';
import { processIsAlive } from '../system/processes.js';
import { defaultLabStateDir, labStateDirEnv, labStateFile, type LabState } from './state-file.js';

/** A lab state folder that cannot be used as it is; exit 3, with what to do. */
export class LabStateError extends HarnessError {}

/** Which state folder a command means, and who named it (undefined: the default `.chaos/lab`). */
export interface LabStateChoice {
  dir: string;
  namedBy?: '--state-dir' | typeof labStateDirEnv;
}

export function chooseLabStateDir(cwd: string, env: NodeJS.ProcessEnv, option?: string): LabStateChoice {
  if (option !== undefined) return { dir: resolve(cwd, option), namedBy: '--state-dir' };
  const fromEnv = env[labStateDirEnv];
  if (fromEnv) return { dir: resolve(cwd, fromEnv), namedBy: labStateDirEnv };
  return { dir: resolve(cwd, defaultLabStateDir) };
}

export interface RunningLabFound {
  state: LabState;
  /** The state file, absolute. */
  file: string;
  /** The kubeconfig's text, checked to name every cluster of the state at its API URL. */
  kubeconfigYaml: string;
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * The lab that `choice` records, ready to connect to; undefined when the folder records none
 * (no state.json, or no folder at all where nobody named one). Throws LabStateError otherwise.
 */
export async function findRunningLab(choice: LabStateChoice): Promise<RunningLabFound | undefined> {
  const { dir, namedBy } = choice;
  const flag = namedBy ? ` --state-dir ${dir}` : '';
  const restart = `stop it with \`chaos lab down${flag}\` and start it again (\`chaos lab up${flag}\`)`;
  const folder = await stat(dir).catch((error: unknown) => errnoOf(error) ?? 'error');
  if (typeof folder === 'string') {
    if (folder === 'ENOENT' && !namedBy) return undefined;
    throw new LabStateError(
      `the lab state folder ${dir} (named by ${namedBy ?? 'default'}) ${folder === 'ENOENT' ? 'does not exist' : `cannot be read (${folder})`}: no lab can be found there`,
      `start a lab there with \`chaos lab up${flag}\`, or name the folder of a running lab; without ${namedBy === '--state-dir' ? '--state-dir' : labStateDirEnv}, \`chaos run\` starts a lab of its own`,
    );
  }
  if (!folder.isDirectory())
    throw new LabStateError(
      `the lab state folder ${dir} (named by ${namedBy ?? 'default'}) is a file, not a folder`,
      'name the folder `chaos lab up --state-dir` wrote (it holds state.json and kubeconfig)',
    );

  const file = join(dir, labStateFile);
  const clear = `\`chaos lab down${flag}\` clears it (or delete ${file}); \`chaos lab up${flag}\` starts a lab`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw new LabStateError(`${file}: cannot be read (${errnoOf(error) ?? String(error)})`, clear);
  }
  const state = parseState(file, text, clear);
  if (state.stateDir !== undefined && resolve(state.stateDir) !== resolve(dir))
    throw new LabStateError(
      `${file} is the state of the lab of ${state.stateDir} (pid ${state.pid}), not of ${dir}: the state files of two labs were swapped or copied`,
      `stop each lab from its own folder (\`chaos lab down --state-dir <folder>\`) and start it again`,
    );
  if (!processIsAlive(state.pid))
    throw new LabStateError(
      `the lab recorded in ${file} (pid ${state.pid}, started ${state.startedAt}) is not running: its process ended without removing its state (kill -9, a crash, a reboot), and its clusters ended with it`,
      `\`chaos lab down${flag}\` clears the stale state; \`chaos lab up${flag}\` starts a lab again`,
    );
  const kubeconfigYaml = await readKubeconfig(state, file, restart);
  checkKubeconfig(state, file, kubeconfigYaml, restart);
  return { state, file, kubeconfigYaml };
}

function parseState(file: string, text: string, clear: string): LabState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new LabStateError(`${file}: not a lab state file: ${(error as Error).message}`, clear);
  }
  const state = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<LabState>;
  const wrong = [
    state.version === 1 ? undefined : 'version: expected 1',
    Number.isInteger(state.pid) && (state.pid ?? 0) > 0 ? undefined : 'pid: expected a process id',
    typeof state.kubeconfig === 'string' && state.kubeconfig !== '' ? undefined : 'kubeconfig: expected a path',
    Array.isArray(state.clusters) &&
    state.clusters.length > 0 &&
    state.clusters.every(
      (cluster) =>
        typeof cluster?.name === 'string' &&
        typeof cluster.context === 'string' &&
        typeof cluster.apiUrl === 'string' &&
        typeof cluster.ingressUrl === 'string',
    )
      ? undefined
      : 'clusters: expected each with name, context, apiUrl, ingressUrl',
  ].filter((problem) => problem !== undefined);
  if (wrong.length > 0) throw new LabStateError(`${file}: not a lab state file: ${wrong.join('; ')}`, clear);
  return state as LabState;
}

async function readKubeconfig(state: LabState, file: string, restart: string): Promise<string> {
  try {
    return await readFile(state.kubeconfig, 'utf8');
  } catch (error) {
    const code = errnoOf(error);
    throw new LabStateError(
      code === 'ENOENT'
        ? `the lab's kubeconfig ${state.kubeconfig} (recorded in ${file}) is gone, while the lab (pid ${state.pid}) still runs: nothing can reach its clusters without it`
        : `the lab's kubeconfig ${state.kubeconfig} (recorded in ${file}) cannot be read (${code ?? String(error)})`,
      restart,
    );
  }
}

/** The kubeconfig must give each cluster of the state a context whose server is its API and a token. */
function checkKubeconfig(state: LabState, file: string, yaml: string, restart: string): void {
  const where = `the lab's kubeconfig ${state.kubeconfig} (recorded in ${file})`;
  let config: unknown;
  try {
    config = parse(yaml) as unknown;
  } catch (error) {
    const at =
      error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
    throw new LabStateError(
      `${where} is corrupt: ${state.kubeconfig}${at}: not YAML (${(error as Error).message.split('\n')[0]})`,
      restart,
    );
  }
  const named = (list: unknown, name: string): Record<string, unknown> | undefined => {
    if (!Array.isArray(list)) return undefined;
    const entry: unknown = list.find((item) => (item as { name?: unknown } | null)?.name === name);
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
  };
  const root = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  for (const cluster of state.clusters) {
    const context = named(root.contexts, cluster.context)?.context as Record<string, unknown> | undefined;
    if (!context)
      throw new LabStateError(
        `${where} is corrupt: it has no context ${cluster.context} (cluster ${cluster.name})`,
        restart,
      );
    const server = (named(root.clusters, String(context.cluster))?.cluster as Record<string, unknown> | undefined)
      ?.server;
    if (server !== cluster.apiUrl)
      throw new LabStateError(
        typeof server === 'string'
          ? `${where} is another lab's: its context ${cluster.context} points at ${server}, but the lab of ${file} (pid ${state.pid}) serves ${cluster.name}'s API at ${cluster.apiUrl}; the files of two labs were swapped or copied`
          : `${where} is corrupt: context ${cluster.context} names cluster ${String(context.cluster)}, which has no server`,
        restart,
      );
    const token = (named(root.users, String(context.user))?.user as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token === '')
      throw new LabStateError(
        `${where} is corrupt: context ${cluster.context} has no user with a token (user ${String(context.user)})`,
        restart,
      );
  }
}
