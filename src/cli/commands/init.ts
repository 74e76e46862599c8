import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { parseContextOverrides } from '../../environment/connection-overrides.js';
import { initEnvironmentFile, type InitOptions } from '../../play/init-environment-file.js';
import { mergeKubeconfigFiles, kubeconfigFiles } from '../../kube/kube-config.js';

type InitFlags = Omit<InitOptions, 'contexts'> & { context: string[] };

/** On a terminal without --context: offer each context of the kubeconfig, ask a cluster name for it. */
async function askContexts(io: CliIo, kubeconfig: string | undefined): Promise<Record<string, string>> {
  const list = kubeconfig ?? io.env.KUBECONFIG ?? path.join(io.env.HOME ?? '', '.kube', 'config');
  const names = mergeKubeconfigFiles(kubeconfigFiles(list, io.cwd).files)
    .getContexts()
    .map((context) => context.name);
  if (names.length === 0)
    throw new InputError(
      `chaos init: no context in ${list}`,
      [],
      'pass --kubeconfig <file>, or --context central=<context> --context west=<context>',
    );
  const contexts: Record<string, string> = {};
  for (const context of names) {
    const answer = (await io.ask(`cluster name for context ${context} (empty: skip): `)).trim();
    if (answer) contexts[answer] = context;
  }
  if (Object.keys(contexts).length === 0)
    throw new InputError(
      `chaos init: no cluster chosen — all ${names.length} context(s) were skipped (${names.join(', ')})`,
      [],
      'give a cluster name (e.g. central) for at least one context, or pass --context central=<context>',
    );
  return contexts;
}

export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description(
      'write an environment file from kubeconfig contexts: finds each ingress gateway and the app namespace (read-only)',
    )
    .option(
      '--context <cluster=context>',
      'a cluster and its kube context (repeatable); asked for on a terminal when absent',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--kubeconfig <files>', 'kubeconfig file(s), ":"-separated; default: $KUBECONFIG, then ~/.kube/config')
    .option('--name <name>', 'environment name', 'my-env')
    .option('--namespace <namespace>', 'the app namespace (default: the sidecar-injected one every cluster has)')
    .option('--out <file>', 'where to write it (default: environments/<name>.yaml)')
    .option('--force', 'overwrite an existing file')
    .action(async (options: InitFlags) => {
      let contexts = parseContextOverrides(options.context);
      if (Object.keys(contexts).length === 0) {
        if (!io.isTty)
          throw new InputError(
            'chaos init needs the clusters: --context central=<context> --context west=<context>',
            [],
            '`kubectl config get-contexts` lists them',
          );
        contexts = await askContexts(io, options.kubeconfig);
      }
      await initEnvironmentFile({ ...options, contexts }, io);
    });
}
