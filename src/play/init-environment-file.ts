/**
 * `chaos init`: from kubeconfig contexts, discover each cluster's ingress gateway and the app
 * namespace (read-only) and write an environment file with the contexts allow-listed.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors/errors.js';
import type { CliIo } from '../system/io.js';
import { discoverCluster, renderEnvironment } from '../environment/init-environment.js';
import type { KubeconfigSource } from '../kube/kube-config.js';

export interface InitOptions {
  /** Cluster name → kube context. */
  contexts: Record<string, string>;
  kubeconfig?: string;
  name: string;
  namespace?: string;
  out?: string;
  force?: boolean;
}

export async function initEnvironmentFile(options: InitOptions, io: CliIo): Promise<void> {
  const source: KubeconfigSource = options.kubeconfig
    ? { kind: 'file', file: options.kubeconfig }
    : { kind: 'default' };
  const out = path.resolve(io.cwd, options.out ?? path.join('environments', `${options.name}.yaml`));
  if (existsSync(out) && !options.force)
    throw new InputError(`${path.relative(io.cwd, out)} exists`, [], 'pass --force to overwrite it');
  const clusters = [];
  for (const [name, context] of Object.entries(options.contexts))
    clusters.push(await discoverCluster(name, context, source, io.cwd));
  const text = renderEnvironment(
    { name: options.name, contexts: options.contexts, kubeconfig: options.kubeconfig, namespace: options.namespace },
    clusters,
  );
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, text);
  io.out(text);
  io.out(`wrote ${path.relative(io.cwd, out)}; next: chaos plan <scenario> --env ${path.relative(io.cwd, out)}`);
}
