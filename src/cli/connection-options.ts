/**
 * `--kubeconfig` and `--context CLUSTER=CONTEXT` on every command that connects to clusters,
 * as kubectl's flags: they win over the environment file. Applied before the action as
 * CHAOS_KUBECONFIG / CHAOS_CONTEXT, which the environment reader honours (so a CronJob can
 * set them too).
 */
import type { Command } from 'commander';
import type { CliIo } from '../system/io.js';
import { parseContextOverrides } from '../environment/connection-overrides.js';

export function withConnectionOptions(command: Command, io: CliIo): Command {
  return command
    .option(
      '--kubeconfig <files>',
      'kubeconfig file(s) for every cluster, ":"-separated as in KUBECONFIG (~ expanded); wins over the environment file',
    )
    .option(
      '--context <cluster=context>',
      'kube context of one cluster of the environment (repeatable), e.g. --context central=gke_p_us-central1_c',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .hook('preAction', (self) => {
      const options = self.opts<{ kubeconfig?: string; context?: string[] }>();
      if (options.kubeconfig) io.env.CHAOS_KUBECONFIG = options.kubeconfig;
      if (options.context && options.context.length > 0) {
        parseContextOverrides(options.context);
        io.env.CHAOS_CONTEXT = options.context.join(',');
      }
    });
}
