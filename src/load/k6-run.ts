/**
 * One k6 run as a value: start it with the load config, follow its samples, stop it on
 * request. Its end is returned (exit code, signal, reason), never thrown.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../input/files.js';
import { buildK6Invocation, chaosModulePath, loadScriptPath, type LoadScriptConfig } from './k6-args.js';
import type { K6Binary } from './k6-binary.js';
import type { LoadSample } from '../budgets/sample.js';
import { followLines, type SampleStream } from './sample-stream.js';
import { RecordReader } from './records.js';
import { followDroppedIterations, type K6Reported } from './dropped-iterations.js';
import { prepareUserScript } from './user-script.js';
import { startProcess, type ProcessResult } from './spawn.js';
import { isK6LineShown } from './k6-log.js';
import { freeLoopbackPortSync } from './free-port.js';

export type K6End =
  | { kind: 'completed' }
  | { kind: 'stopped' }
  | { kind: 'script-error'; exitCode: number; message: string }
  | { kind: 'crashed'; exitCode: number | null; signal: string | null; message: string };

export interface K6Run {
  pid: number | undefined;
  samples: SampleStream;
  /** Graceful stop (SIGINT: k6 flushes its output). */
  stop(): void;
  /** Immediate stop (SIGKILL), for a second signal: the JSON tail may be lost. */
  kill(): void;
  ended: Promise<{ end: K6End; result: ProcessResult }>;
  /** k6's own count of the requests it completed, as last read from its REST API (a local k6 only). */
  reported?: () => K6Reported | undefined;
}

/** k6's own exit codes (errext/exitcodes): 105 = stopped by signal, 107 = script error. */
function classifyK6Exit(result: ProcessResult, stopRequested: boolean): K6End {
  const tail = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n');
  if (result.startError)
    return { kind: 'crashed', exitCode: null, signal: null, message: `cannot start k6: ${result.startError.message}` };
  if (result.exitCode === 0) return { kind: 'completed' };
  if (stopRequested && (result.exitCode === 105 || result.signal === 'SIGINT' || result.signal === 'SIGKILL'))
    return { kind: 'stopped' };
  if (result.exitCode === 107 || result.exitCode === 104)
    return { kind: 'script-error', exitCode: result.exitCode, message: tail };
  return {
    kind: 'crashed',
    exitCode: result.exitCode,
    signal: result.signal,
    message: tail || 'k6 ended without a message',
  };
}

export function startK6(options: {
  k6: K6Binary;
  runDir: string;
  config: LoadScriptConfig;
  onSample: (sample: LoadSample) => void;
  onLog?: (line: string) => void;
  /** Another script in place of any other (CHAOS_K6_SCRIPT: tests of script errors, debugging). */
  scriptPath?: string;
  /** A user's k6 script and the metrics it declares (load.script). */
  userScript?: { file: string; metrics: readonly string[] };
  /** k6 --out values added next to the harness's stream (load.outputs). */
  outputs?: readonly string[];
  /** Maps a raw served_by tag (`addr:<ip:port>` from the mesh) to a cluster name. */
  servedBy?: (raw: string) => string;
  /** A free loopback port for k6's REST API (dropped iterations are read there); default: one found now. */
  apiPort?: number;
}): K6Run {
  const configPath = path.join(options.runDir, 'k6-config.json');
  const samplesPath = path.join(options.runDir, 'k6-samples.json');
  const recordsPath = path.join(options.runDir, 'k6-records.log');
  const config = { ...options.config, epochMs: options.config.epochMs ?? Date.now() };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const scriptPath =
    options.scriptPath ??
    (options.userScript
      ? prepareUserScript(options.userScript.file, path.join(packageRoot, chaosModulePath), options.runDir)
      : path.join(packageRoot, loadScriptPath));
  const apiAddress = `127.0.0.1:${options.apiPort ?? freeLoopbackPortSync()}`;
  const invocation = buildK6Invocation({
    scriptPath,
    configPath,
    recordsPath,
    apiAddress,
    ...(config.raw ? { samplesPath } : {}),
    outputs: options.outputs,
    runDir: options.runDir,
    stockHttp: options.userScript !== undefined,
  });
  let stopRequested = false;
  const child = startProcess(options.k6.path, invocation.args, {
    env: { ...process.env, ...invocation.env },
    tiedToParent: true,
    onLine: (line) => {
      if (isK6LineShown(line, stopRequested)) options.onLog?.(line);
    },
  });
  const reader = new RecordReader({
    epochMs: config.epochMs,
    servedBy: options.servedBy,
    onSample: options.onSample,
    onLog: options.onLog,
  });
  const dropped = followDroppedIterations(
    `http://${apiAddress}`,
    config.ingresses.map((ingress) => ingress.name),
    options.onSample,
  );
  const ended = child.result.then((result) => {
    dropped.stop();
    return { end: classifyK6Exit(result, stopRequested), result };
  });
  return {
    pid: child.pid,
    samples: followLines(
      recordsPath,
      (line) => reader.line(line),
      (tail) => reader.tail(tail),
    ),
    stop: () => {
      stopRequested = true;
      child.kill('SIGINT');
    },
    kill: () => {
      stopRequested = true;
      child.kill('SIGKILL');
    },
    ended,
    reported: () => dropped.reported(),
  };
}
