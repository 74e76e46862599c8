/**
 * The one place that starts child processes (k6, go). A child process is a value: its
 * result (exit code, signal, output) is returned, never thrown as a surprise.
 */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ProcessResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  startError?: NodeJS.ErrnoException;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each line of stdout and stderr as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the process after this long (SIGTERM). */
  timeoutMs?: number;
}

/** A started child process: its result as a promise, and a way to signal it. */
export interface ProcessHandle {
  pid: number | undefined;
  result: Promise<ProcessResult>;
  kill(signal: NodeJS.Signals): boolean;
}

export function startProcess(command: string, args: readonly string[], options: RunOptions = {}): ProcessHandle {
  const spawnOptions: SpawnOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const child = spawn(command, args, spawnOptions);
  const out: string[] = [];
  const err: string[] = [];
  const collect = (stream: 'stdout' | 'stderr', sink: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      sink.push(text);
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, stream);
    };
  };
  child.stdout?.on('data', collect('stdout', out));
  child.stderr?.on('data', collect('stderr', err));
  const result = new Promise<ProcessResult>((resolve) => {
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs) : undefined;
    let startError: NodeJS.ErrnoException | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error;
    });
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        command: [command, ...args].join(' '),
        exitCode,
        signal,
        stdout: out.join(''),
        stderr: err.join(''),
        startError,
      });
    });
  });
  return {
    pid: child.pid,
    result,
    kill: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal),
  };
}

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return startProcess(command, args, options).result;
}
