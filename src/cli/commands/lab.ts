import type { Command } from 'commander';
import path from 'node:path';
import { HarnessError, InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { labKubeconfigPath } from '../../environment/lab-environment.js';
import { processIsAlive, readLabState, removeLabState, startLab, writeLabState } from '../../lab/index.js';
import { labStateDir } from '../../environment/open-environment.js';
import { outputSchemaVersion } from '../../report/output-schemas.js';
import { outputOption } from '../options.js';

export function registerLab(program: Command, io: CliIo): void {
  const lab = program.command('lab').description('the embedded two-cluster lab (central, west) on loopback');

  lab
    .command('up')
    .description('start the lab in the foreground for a game day; Ctrl-C stops it cleanly')
    .option('--kubeconfig <path>', 'where to write the kubeconfig', labKubeconfigPath)
    .option('--seed <n>', "seed of the lab's random draws", '1')
    .action(async (options: { kubeconfig: string; seed: string }) => {
      const dir = path.resolve(io.cwd, labStateDir);
      const existing = await readLabState(dir);
      if (existing?.running)
        throw new InputError(
          `a lab is already running (pid ${existing.state.pid}); \`chaos lab status\` shows it, \`chaos lab down\` stops it`,
        );
      const seed = Number(options.seed);
      if (!Number.isInteger(seed)) throw new InputError(`--seed ${options.seed}: expected a whole number`);
      const running = await startLab({ seed });
      const state = await writeLabState(dir, running, { kubeconfigPath: path.resolve(io.cwd, options.kubeconfig) });
      io.out(`lab up (pid ${process.pid}); kubeconfig ${state.kubeconfig}`);
      for (const cluster of running.clusters)
        io.out(`  ${cluster.name}: context ${cluster.context}, API ${cluster.apiUrl}, ingress ${cluster.ingressUrl}`);
      io.out(`try: KUBECONFIG=${state.kubeconfig} kubectl --context lab-central get deploy -n ${running.namespace}`);
      io.out('Ctrl-C (or `chaos lab down`) stops it.');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.stop();
      await removeLabState(dir);
      io.out('lab stopped');
    });

  lab
    .command('status')
    .description('show the running lab: clusters, contexts, API and ingress URLs')
    .addOption(outputOption())
    .action(async (options: { output: string }) => {
      const reading = await readLabState(path.resolve(io.cwd, labStateDir));
      const running = reading?.running ?? false;
      if (options.output === 'json') {
        io.out(
          JSON.stringify(
            {
              schemaVersion: outputSchemaVersion,
              running,
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
            ? `no lab running (stale state from pid ${reading.state.pid})`
            : 'no lab running; `chaos lab up` starts one',
        );
        return;
      }
      io.out(`lab running (pid ${reading.state.pid}); kubeconfig ${reading.state.kubeconfig}`);
      for (const cluster of reading.state.clusters)
        io.out(`  ${cluster.name}: context ${cluster.context}, API ${cluster.apiUrl}, ingress ${cluster.ingressUrl}`);
    });

  lab
    .command('down')
    .description('stop a lab started by `chaos lab up`')
    .action(async () => {
      const dir = path.resolve(io.cwd, labStateDir);
      const reading = await readLabState(dir);
      if (!reading?.running) {
        if (reading) await removeLabState(dir);
        io.out('no lab running');
        return;
      }
      process.kill(reading.state.pid, 'SIGTERM');
      for (let i = 0; i < 100 && processIsAlive(reading.state.pid); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      if (processIsAlive(reading.state.pid))
        throw new HarnessError(
          `lab process ${reading.state.pid} did not stop within 10 s`,
          `kill ${reading.state.pid}`,
        );
      await removeLabState(dir);
      io.out(`lab stopped (pid ${reading.state.pid})`);
    });
}
