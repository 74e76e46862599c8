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
  /**
   * Tie the child's life to ours (k6): it runs in its own process group, which is killed when we
   * exit, and a watchdog (`sh`, in a group of its own so a terminal's Ctrl-C cannot take it) holds
   * a pipe from us — when we die in any way, even by SIGKILL, the pipe closes and the watchdog
   * kills the child's group (SIGTERM, then SIGKILL after 5 s). POSIX only; elsewhere a no-op.
   */
  tiedToParent?: boolean;
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
  const tied = options.tiedToParent === true && process.platform !== 'win32';
  const child = spawn(command, args, { ...spawnOptions, detached: tied });
  const untie = tied && child.pid !== undefined ? tieToParent(child.pid) : () => undefined;
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
      untie();
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

/** Starts the watchdog of a child's process group; returns how to stop it once the child is gone. */
function tieToParent(pid: number): () => void {
  // `kill -SIG -PGID` (no `--`: dash, Debian's sh, refuses it) signals the whole group.
  const script = 'cat >/dev/null; kill -TERM "-$0" 2>/dev/null; sleep 5; kill -KILL "-$0" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  // The pipe must not keep us alive either: it only has to close when we go.
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  // On a normal exit the group goes at once (the watchdog would also see its pipe close).
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.on('exit', onExit);
  return () => {
    process.off('exit', onExit);
    if (watchdog.pid !== undefined) killGroup(watchdog.pid, 'SIGKILL');
  };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return startProcess(command, args, options).result;
}
