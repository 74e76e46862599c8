/**
 * The lab's use cases behind `chaos lab up|status|down`: start one in this process and hold it
 * until a signal, describe the one a state folder points at, stop it. The command file only
 * parses options.
 */
import path from 'node:path';
import { HarnessError, InputError } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { watchInterrupts } from '../system/signals.js';
import { sleep } from '../system/sleep.js';
import {
  ingressPlacementFromEnv,
  labStateDirEnv,
  parseIngressPlacement,
  processIsAlive,
  readLabState,
  removeLabState,
  resolveLabStateDir,
  startLab,
  writeLabState,
  type LabStateReading,
} from '../lab/index.js';
import { outputSchemaVersion } from '../report/output-schemas.js';
import { parseDuration } from '../input/units.js';
import { startLabGuard } from '../guard/lab-guard.js';

/** Generous: a lab on a loaded machine may take a while to close every listener. */
const downTimeoutMs = 60_000;

export interface LabUpOptions {
  kubeconfig?: string;
  seed: string;
  stateDir?: string;
  ingressAddress?: string[];
  ingressPort?: string;
  /** Run a guard in this process (default true; `--no-guard`). */
  guard: boolean;
  guardGrace: string;
}

/** Starts the lab in the foreground and holds it until SIGINT/SIGTERM/SIGHUP/SIGQUIT. */
export async function labUp(options: LabUpOptions, io: CliIo): Promise<void> {
  const dir = resolveLabStateDir(io.cwd, io.env, options.stateDir);
  const fromEnv = ingressPlacementFromEnv(io.env);
  if (typeof fromEnv === 'string') throw new InputError(fromEnv);
  const fromOptions = parseIngressPlacement(options.ingressAddress, options.ingressPort, {
    address: '--ingress-address',
    port: '--ingress-port',
  });
  if (typeof fromOptions === 'string') throw new InputError(fromOptions);
  const existing = await readLabState(dir);
  if (existing?.running)
    throw new InputError(
      `a lab is already running from ${dir} (pid ${existing.state.pid}); \`chaos lab status\` shows it, \`chaos lab down\` stops it`,
      [],
      'another lab needs its own --state-dir and ports (--ingress-port 0 picks free ones)',
    );
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) throw new InputError(`--seed ${options.seed}: expected a whole number`);
  const grace = parseDuration(options.guardGrace);
  if (!grace.ok) throw new InputError(`--guard-grace ${options.guardGrace}: expected ${grace.expected}`);
  const running = await startLab({ seed, ...fromEnv, ...fromOptions });
  // From here every way out (a signal, an uncaught error, a guard that cannot start) stops the lab.
  const interruption = watchInterrupts({ notify: () => undefined });
  let state: Awaited<ReturnType<typeof writeLabState>> | undefined;
  let guard: Awaited<ReturnType<typeof startLabGuard>> | undefined;
  try {
    state = await writeLabState(dir, running, {
      kubeconfigPath: options.kubeconfig === undefined ? undefined : path.resolve(io.cwd, options.kubeconfig),
    });
    io.out(`lab up (pid ${process.pid}); state ${dir}; kubeconfig ${state.kubeconfig}`);
    for (const cluster of running.clusters)
      io.out(`  ${cluster.name}: context ${cluster.context}, API ${cluster.apiUrl}, ingress ${cluster.ingressUrl}`);
    io.out(`try: KUBECONFIG=${state.kubeconfig} kubectl --context lab-central get deploy -n ${running.namespace}`);
    io.out(`other commands find this lab with ${labStateDirEnv}=${dir} (or --state-dir)`);
    if (options.guard) {
      guard = await startLabGuard(running.kubeconfig(), grace.value, (line) => io.out(`guard: ${line}`));
      io.out(`guard: reverts the faults of a run killed without reverting; ${guard.url}/metrics`);
    }
    io.out('Ctrl-C (or `chaos lab down`) stops it.');
    await new Promise<void>((resolve) => {
      for (const signal of [interruption.interrupt, interruption.failure])
        signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await guard?.stop();
    await running.stop();
    if (state) await removeLabState(dir, state);
    interruption.dispose();
  }
  io.out('lab stopped');
}

/** What `chaos lab status --output json` prints. */
interface LabStatusDocument {
  schemaVersion: typeof outputSchemaVersion;
  running: boolean;
  stateDir: string;
  pid: number | null;
  kubeconfig: string | null;
  clusters: LabStateReading['state']['clusters'];
}

export async function labStatus(options: { stateDir?: string; json: boolean }, io: CliIo): Promise<void> {
  const dir = resolveLabStateDir(io.cwd, io.env, options.stateDir);
  const reading = await readLabState(dir);
  const running = reading?.running ?? false;
  if (options.json) {
    const document: LabStatusDocument = {
      schemaVersion: outputSchemaVersion,
      running,
      stateDir: dir,
      pid: reading?.state.pid ?? null,
      kubeconfig: reading?.state.kubeconfig ?? null,
      clusters: running ? reading!.state.clusters : [],
    };
    io.out(JSON.stringify(document, null, 2));
    return;
  }
  if (!reading || !running) {
    io.out(
      reading
        ? `no lab running from ${dir} (stale state from pid ${reading.state.pid})`
        : `no lab running from ${dir}; \`chaos lab up\` starts one`,
    );
    return;
  }
  io.out(`lab running (pid ${reading.state.pid}); state ${dir}; kubeconfig ${reading.state.kubeconfig}`);
  for (const cluster of reading.state.clusters)
    io.out(`  ${cluster.name}: context ${cluster.context}, API ${cluster.apiUrl}, ingress ${cluster.ingressUrl}`);
}

/** Stops the lab a state folder points at (SIGTERM, then waits for its process to end). */
export async function labDown(options: { stateDir?: string }, io: CliIo): Promise<void> {
  const dir = resolveLabStateDir(io.cwd, io.env, options.stateDir);
  const reading = await readLabState(dir);
  if (!reading?.running) {
    if (reading) await removeLabState(dir, reading.state);
    io.out(`no lab running from ${dir}`);
    return;
  }
  const { pid } = reading.state;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + downTimeoutMs;
  while (processIsAlive(pid) && Date.now() < deadline) await sleep(100);
  if (processIsAlive(pid))
    throw new HarnessError(
      `lab process ${pid} did not stop within ${downTimeoutMs / 1000} s of SIGTERM`,
      `kill ${pid}`,
    );
  await removeLabState(dir, reading.state);
  io.out(`lab stopped (pid ${pid})`);
}
