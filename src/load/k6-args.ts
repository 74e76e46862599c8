/**
 * k6's command line and environment, built by a pure function: what runs is what the tests see.
 */
import path from 'node:path';
import type { IngressLoad } from './ingress-load.js';
import type { LoadScriptConfig } from './script/load-config.js';

export const loadScriptPath = path.join('src', 'load', 'script', 'load.ts');
/**
 * The response header naming the cluster that served a request (the lab sets it; a mesh can add
 * it with an EnvoyFilter).
 */
export const servedByHeader = 'x-chaos-cluster';

export type { LoadScriptConfig };

export interface K6Invocation {
  args: string[];
  env: Record<string, string>;
}

/** `urls` maps ingress name → resolved base URL (discovered at run time for Service ingresses). */
export function buildLoadConfig(
  load: readonly IngressLoad[],
  urls: Record<string, string>,
  durationSeconds: number,
): LoadScriptConfig {
  const [first] = load;
  if (!first) throw new Error('a run needs at least one ingress to load');
  return {
    ingresses: load.map((ingress) => ({ name: ingress.ingress, url: urls[ingress.ingress] ?? ingress.target })),
    ratePerSecond: first.ratePerSecond,
    durationSeconds,
    method: first.method,
    paths: first.paths,
    host: first.host,
    timeoutMs: first.timeoutMs,
    preAllocatedVUs: first.preAllocatedVUs,
    maxVUs: first.maxVUs,
    servedByHeader,
  };
}

export function buildK6Invocation(options: {
  scriptPath: string;
  configPath: string;
  samplesPath: string;
}): K6Invocation {
  return {
    args: [
      'run',
      '--quiet',
      '--no-usage-report',
      '--no-thresholds',
      '--summary-mode=disabled',
      // Our sample carries its own tags; k6's system tags only cost bytes in the stream.
      '--system-tags=scenario',
      '--out',
      `json=${options.samplesPath}`,
      options.scriptPath,
    ],
    env: {
      TZ: 'UTC',
      K6_NO_USAGE_REPORT: 'true',
      K6_AUTO_EXTENSION_RESOLUTION: 'false',
      CHAOS_CONFIG: options.configPath,
    },
  };
}
