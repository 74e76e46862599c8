/**
 * For guard tests: `chaos guard` and `chaos run` as real child processes (so they can be killed
 * with SIGKILL), the guard's /metrics read back, and the clusters' leftovers as recover's scan sees
 * them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ClusterApis } from '../../src/kube/cluster-api.js';
import { scanCluster } from '../../src/run/recover/recover-scan.js';
import { cliEnv, projectRoot } from './cli.js';
import { waitFor } from './wait.js';

export interface ChaosChild {
  child: ChildProcess;
  output(): string;
  exited: Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export function spawnChaos(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChaosChild {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin/chaos.js'), ...args], {
    cwd,
    env: cliEnv(cwd, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`${code}/${signal}`)));
  return {
    child,
    output: () => out,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface GuardChild extends ChaosChild {
  url: string;
  metrics(): Promise<Record<string, number>>;
}

/** `chaos guard` with short Leases; resolves once it serves /healthz. */
export async function startGuardChild(args: readonly string[], cwd: string): Promise<GuardChild> {
  const guard = spawnChaos(['guard', '--grace', '2s', '--lease', '3s', '--resync', '30s', ...args], cwd);
  const url = await waitFor(
    () => {
      if (guard.child.exitCode !== null) throw new Error(`chaos guard exited:\n${guard.output()}`);
      return /(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(guard.output())?.[1];
    },
    { timeoutMs: 60_000, what: 'chaos guard to listen' },
  );
  const metrics = async () => {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const values: Record<string, number> = {};
    for (const match of text.matchAll(/^(chaos_guard_\w+)\{cluster="(\w+)"\} (\d+)$/gm))
      values[`${match[1]}/${match[2]}`] = Number(match[3]);
    return values;
  };
  return { ...guard, url, metrics };
}

/** Every mutation of any run that recover's scan finds, as `kind cluster object` lines. */
export async function leftoversIn(apis: ClusterApis): Promise<string[]> {
  const scans = await Promise.all([...apis.values()].map((api) => scanCluster(api)));
  return scans.flatMap((scan) => [
    ...scan.mutations.map((m) => `${m.kind} ${m.cluster} ${JSON.stringify(m).slice(0, 160)}`),
    ...scan.suspects.map((s) => `suspect ${s.cluster} ${s.virtualService} ${s.routes.join(',')}`),
    ...scan.unscanned.map((u) => `unscanned ${scan.cluster} ${u}`),
  ]);
}

export function sum(values: Record<string, number>, name: string): number {
  return Object.entries(values)
    .filter(([key]) => key.startsWith(`${name}/`))
    .reduce((total, [, value]) => total + value, 0);
}
