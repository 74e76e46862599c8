/**
 * k6's command line and environment, built by a pure function: what runs is what the tests see.
 */
import path from 'node:path';
import type { IngressLoad } from './ingress-load.js';
import type { LoadScriptConfig } from './script/load-config.js';

export const loadScriptPath = path.join('src', 'load', 'script', 'load.ts');
/** The module user scripts import as `chaos/k6`. */
export const chaosModulePath = path.join('src', 'load', 'script', 'chaos-k6.ts');
/** The compact record's writer, which chaos-k6.ts imports from its own folder. */
export const recorderModulePath = path.join('src', 'load', 'script', 'recorder.ts');

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
  phasesSeconds?: number,
  runId?: string,
): LoadScriptConfig {
  const [first] = load;
  if (!first) throw new Error('a run needs at least one ingress to load');
  return {
    ingresses: load.map((ingress) => ({ name: ingress.ingress, url: urls[ingress.ingress] ?? ingress.target })),
    ratePerSecond: first.ratePerSecond,
    durationSeconds,
    ...(phasesSeconds === undefined ? {} : { phasesSeconds }),
    method: first.method,
    paths: first.paths,
    host: first.host,
    timeoutMs: first.timeoutMs,
    preAllocatedVUs: first.preAllocatedVUs,
    maxVUs: first.maxVUs,
    servedBy: first.servedBy ?? { kind: 'none' },
    ...(runId === undefined ? {} : { runId }),
  };
}

const systemTags = ['scenario', 'check'];
/** What a stock request's http_req_duration must carry: expected_response is k6's http_req_failed. */
const stockHttpTags = ['status', 'method', 'name', 'url', 'expected_response', 'error_code'];

/**
 * `outputs`: the scenario's own k6 --out values, added after the harness's stream. A file
 * output given a relative name (csv=k6.csv, csv=fileName=k6.csv,…) lands in the run folder,
 * next to the verdicts.
 */
export function buildK6Invocation(options: {
  scriptPath: string;
  configPath: string;
  /**
   * Where the VUs' compact records go (k6's console output, raw lines: script/recorder.ts);
   * without it, k6's stderr (a k6-operator runner's log).
   */
  recordsPath?: string;
  /** k6's REST API, on loopback: the harness reads dropped iterations there (k6-operator sets its own). */
  apiAddress?: string;
  /** --raw-samples: k6's JSON output too, every request's points, for audits. */
  samplesPath?: string;
  outputs?: readonly string[];
  runDir?: string;
  /** A user's script, which may send through k6/http itself: k6's request tags are read too. */
  stockHttp?: boolean;
}): K6Invocation {
  const extra = (options.outputs ?? []).flatMap((output) => ['--out', placeOutput(output, options.runDir)]);
  return {
    args: [
      'run',
      '--quiet',
      '--no-usage-report',
      // Thresholds stay on: the script declares only its own, always met, so that k6 keeps the
      // per-scenario dropped-iteration sub-metrics the REST API serves (a user's are dropped).
      '--summary-mode=disabled',
      ...(options.apiAddress ? [`--address=${options.apiAddress}`] : []),
      ...(options.recordsPath ? [`--console-output=${options.recordsPath}`] : []),
      // Of k6's system tags only the scenario and a check's name are read from a raw output, and
      // for a user's script those of a stock k6/http request (samples.ts, stockRequest).
      `--system-tags=${options.stockHttp ? [...systemTags, ...stockHttpTags].join(',') : systemTags.join(',')}`,
      ...(options.samplesPath ? ['--out', `json=${options.samplesPath}`] : []),
      ...extra,
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

/**
 * k6's file outputs, a relative file put in the run folder; anything else (an absolute path,
 * `-` for stdout, the other options) as given. k6 reads `csv=<file>` or
 * `csv=fileName=<file>,saveInterval=1s,timeFormat=…` (key=value pairs as soon as there is an
 * `=`), and `json=<file>` (the whole value is the file name).
 */
export function placeOutput(output: string, runDir: string | undefined): string {
  const eq = output.indexOf('=');
  if (eq < 0 || !runDir) return output;
  const type = output.slice(0, eq);
  const value = output.slice(eq + 1);
  const place = (file: string) => (!file || file === '-' || path.isAbsolute(file) ? file : path.join(runDir, file));
  if (type === 'json') return `json=${place(value)}`;
  if (type !== 'csv') return output;
  if (!value.includes('=')) return `csv=${place(value)}`;
  const pairs = value.split(',').map((pair) => {
    const [key, ...rest] = pair.split('=');
    return key === 'fileName' ? `fileName=${place(rest.join('='))}` : pair;
  });
  return `csv=${pairs.join(',')}`;
}
