import type { Command } from 'commander';
import path from 'node:path';
import { HarnessError, InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import {
  ingressAddressEnv,
  ingressPlacementFromEnv,
  ingressPortEnv,
  labStateDirEnv,
  parseIngressPlacement,
  processIsAlive,
  readLabState,
  removeLabState,
  resolveLabStateDir,
  startLab,
  writeLabState,
} from '../../lab/index.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';
import { parseDuration } from '../../input/units.js';
import { startLabGuard } from '../../play/guard/lab-guard.js';
import { outputOption } from '../options.js';

const downTimeoutMs = 60_000;

const stateDirHelp = `the lab's state folder (state.json, kubeconfig); default $${labStateDirEnv}, else .chaos/lab`;

interface UpOptions {
  kubeconfig?: string;
  seed: string;
  stateDir?: string;
  ingressAddress?: string[];
  ingressPort?: string;
  guard: boolean;
  guardGrace: string;
}

export function registerLab(program: Command, io: CliIo): void {
  const lab = program.command('lab').description('the embedded two-cluster lab (central, west) on loopback');

  lab
    .command('up')
    .description('start the lab in the foreground for a game day; Ctrl-C stops it cleanly')
    .option('--state-dir <dir>', stateDirHelp)
    .option('--kubeconfig <path>', 'where to write the kubeconfig (default <state-dir>/kubeconfig)')
    .option(
      '--ingress-address <address...>',
      `loopback address of each ingress, central then west (one serves both); default $${ingressAddressEnv}, else 127.0.0.11 127.0.0.12`,
    )
    .option('--ingress-port <port>', `ingress port; 0 picks free ones; default $${ingressPortEnv}, else 8080`)
    .option('--seed <n>', "seed of the lab's random draws", '1')
    .option('--no-guard', 'do not run a guard in this process (a killed run then waits for `chaos recover`)')
    .option('--guard-grace <duration>', "the guard's grace past a run's Lease duration", '10s')
    .action(async (options: UpOptions) => {
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
      const state = await writeLabState(dir, running, {
        kubeconfigPath: options.kubeconfig === undefined ? undefined : path.resolve(io.cwd, options.kubeconfig),
      });
      io.out(`lab up (pid ${process.pid}); state ${dir}; kubeconfig ${state.kubeconfig}`);
      for (const cluster of running.clusters)
        io.out(`  ${cluster.name}: context ${cluster.context}, API ${cluster.apiUrl}, ingress ${cluster.ingressUrl}`);
      io.out(`try: KUBECONFIG=${state.kubeconfig} kubectl --context lab-central get deploy -n ${running.namespace}`);
      io.out(`other commands find this lab with ${labStateDirEnv}=${dir} (or --state-dir)`);
      const guard = options.guard
        ? await startLabGuard(running.kubeconfig(), grace.value, (line) => io.out(`guard: ${line}`))
        : undefined;
      if (guard) io.out(`guard: reverts the faults of a run killed without reverting; ${guard.url}/metrics`);
      io.out('Ctrl-C (or `chaos lab down`) stops it.');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await guard?.stop();
      await running.stop();
      await removeLabState(dir, state);
      io.out('lab stopped');
    });

  lab
    .command('status')
    .description('show the running lab: clusters, contexts, API and ingress URLs')
    .option('--state-dir <dir>', stateDirHelp)
    .addOption(outputOption())
    .action(async (options: { output: string; stateDir?: string }) => {
      const dir = resolveLabStateDir(io.cwd, io.env, options.stateDir);
      const reading = await readLabState(dir);
      const running = reading?.running ?? false;
      if (options.output === 'json') {
        io.out(
          JSON.stringify(
            {
              schemaVersion: outputSchemaVersion,
              running,
              stateDir: dir,
              pid: reading?.state.pid ?? null,
              kubeconfig: reading?.state.kubeconfig ?? null,
              clusters: running ? reading!.state.clusters : [],
            },
            null,
            2,
          ),
        );
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
    });

  lab
    .command('down')
    .description('stop a lab started by `chaos lab up`')
    .option('--state-dir <dir>', stateDirHelp)
    .action(async (options: { stateDir?: string }) => {
      const dir = resolveLabStateDir(io.cwd, io.env, options.stateDir);
      const reading = await readLabState(dir);
      if (!reading?.running) {
        if (reading) await removeLabState(dir, reading.state);
        io.out(`no lab running from ${dir}`);
        return;
      }
      process.kill(reading.state.pid, 'SIGTERM');
      // Generous: a lab on a loaded machine may take a while to close every listener.
      const deadline = Date.now() + downTimeoutMs;
      while (processIsAlive(reading.state.pid) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      if (processIsAlive(reading.state.pid))
        throw new HarnessError(
          `lab process ${reading.state.pid} did not stop within ${downTimeoutMs / 1000} s of SIGTERM`,
          `kill ${reading.state.pid}`,
        );
      await removeLabState(dir, reading.state);
      io.out(`lab stopped (pid ${reading.state.pid})`);
    });
}
