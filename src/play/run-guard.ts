/**
 * `chaos guard`: keep a guard over the clusters of an environment until SIGTERM/SIGINT. Reads the
 * environment as other commands do (a running lab via its state folder); `--cluster` narrows it.
 */
import { connectExisting } from '../environment/open-environment.js';
import { readEnvironment } from '../environment/read-environment.js';
import { HarnessError, InputError } from '../errors/errors.js';
import { parseDuration } from '../input/units.js';
import type { CliIo } from '../system/io.js';
import { watchInterrupts } from '../system/signals.js';
import { parseAddress } from '../guard/guard-http.js';
import { defaultGuardSettings, startGuard, type GuardSettings } from '../guard/start-guard.js';

export interface GuardOptions {
  env: string;
  cluster?: string[];
  grace: string;
  lease: string;
  resync: string;
  address: string;
  stateDir?: string;
}

function duration(flag: string, text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new InputError(`${flag} ${text}: expected ${parsed.expected}`);
  return parsed.value;
}

function guardSettings(options: GuardOptions): GuardSettings {
  const leaseMs = duration('--lease', options.lease);
  if (leaseMs < 1000 || leaseMs % 1000 !== 0)
    throw new InputError(`--lease ${options.lease}: expected whole seconds, at least 1s (a Lease counts seconds)`);
  parseAddress(options.address);
  return {
    ...defaultGuardSettings,
    graceMs: duration('--grace', options.grace),
    leaseSeconds: leaseMs / 1000,
    resyncMs: Math.max(1000, duration('--resync', options.resync)),
    address: options.address,
  };
}

/** Runs until a signal; resolves after a clean stop (the Lease released, so another replica leads at once). */
export async function runGuard(options: GuardOptions, io: CliIo, stopSignal?: AbortSignal): Promise<void> {
  const settings = guardSettings(options);
  const environment = readEnvironment(options.env, io.cwd);
  const known = environment.clusters.map((c) => c.name);
  const unknown = (options.cluster ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new InputError(
      `--cluster ${unknown.join(', ')}: not a cluster of environment ${environment.name}`,
      [],
      `its clusters: ${known.join(', ')}`,
    );
  const opened = await connectExisting(environment, io.cwd, io.env, options.stateDir);
  if (!opened)
    throw new HarnessError(
      'the lab is not running: a guard watches clusters that outlive it',
      '`chaos lab up` runs one (with its own guard); elsewhere pass --env',
    );
  const wanted = (name: string) => !options.cluster?.length || options.cluster.includes(name);
  const selected = new Map([...opened.apis].filter(([name]) => wanted(name)));
  const stamp = () => new Date().toISOString();
  const guard = await startGuard(
    selected,
    { ...settings, ...(environment.istioConvergence ? { istioConvergence: environment.istioConvergence } : {}) },
    (line) => io.out(`${stamp()} ${line}`),
  );
  io.out(
    `${stamp()} chaos guard ${guard.identity} over ${[...selected.keys()].join(', ')} of ${environment.name}: ` +
      `grace ${settings.graceMs / 1000}s, Lease ${settings.leaseSeconds}s; ${guard.url}/healthz ${guard.url}/metrics`,
  );
  const interruption = watchInterrupts({ notify: () => undefined });
  try {
    const stops = [interruption.interrupt, interruption.failure, ...(stopSignal ? [stopSignal] : [])];
    const any = AbortSignal.any(stops);
    if (!any.aborted) await new Promise((resolve) => any.addEventListener('abort', resolve, { once: true }));
    io.out(`${stamp()} stopping: ${String(any.reason)}`);
  } finally {
    await guard.stop();
    interruption.dispose();
    await opened.close();
  }
  io.out(`${stamp()} guard stopped`);
}
