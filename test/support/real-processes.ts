/**
 * Child processes of the real-Kubernetes tier, and the promise that none outlives the tests.
 *
 * Every component runs in its own process group (`detached: true`), so killing the group
 * kills anything it forked. Three layers of teardown:
 *  1. `ProcessSandbox.stop()`, called by each test's `after` hook;
 *  2. an `exit`/SIGINT/SIGTERM/SIGHUP handler in this process that kills every group still
 *     registered and removes its temp folder synchronously;
 *  3. a tiny shell reaper per sandbox that outlives nothing but this process: when our pid is
 *     gone (even after `kill -9`), it kills the recorded groups and removes the folder.
 * Children are `unref()`ed so a forgotten sandbox cannot keep mocha alive; layer 2 then kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SandboxProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** 'running', or how it ended ('exit code 1', 'signal SIGKILL'). */
  state(): string;
}

const liveSandboxes = new Set<ProcessSandbox>();
let handlersInstalled = false;

// Bounded like every wait here: after 12 hours it cleans up even if the parent still runs.
const reaperScript = `
parent=$1; dir=$2; n=0
while kill -0 "$parent" 2>/dev/null && [ $n -lt 43200 ]; do sleep 1; n=$((n+1)); done
# dash's kill takes no "--": a negative number after the signal names a process group.
if [ -f "$dir/.pgids" ]; then for g in $(cat "$dir/.pgids"); do kill -9 "-$g" 2>/dev/null; done; fi
rm -rf "$dir"
`;

/** A temp folder plus the process groups started in it; stop() leaves neither behind. */
export class ProcessSandbox {
  readonly dir: string;
  readonly processes: SandboxProcess[] = [];
  private readonly reaper: ChildProcess;
  private stopped = false;

  constructor(label: string) {
    installExitHandlers();
    this.dir = mkdtempSync(path.join(os.tmpdir(), `chaos-real-${label}-`));
    this.reaper = spawn('/bin/sh', ['-c', reaperScript, 'chaos-reaper', String(process.pid), this.dir], {
      detached: true,
      stdio: 'ignore',
      cwd: os.tmpdir(),
    });
    this.reaper.unref();
    liveSandboxes.add(this);
  }

  /** Starts `command` in a new process group, output to `<dir>/<name>.log`. */
  start(name: string, command: string, args: readonly string[]): SandboxProcess {
    if (this.stopped) throw new Error(`sandbox ${this.dir} is stopped; cannot start ${name}`);
    const logFile = path.join(this.dir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], cwd: this.dir });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    appendFileSync(path.join(this.dir, '.pgids'), `${child.pid}\n`);
    let state = 'running';
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        state = signal ? `signal ${signal}` : `exit code ${String(code)}`;
        resolve();
      });
      child.once('error', (error) => {
        state = `error ${error.message}`;
        resolve();
      });
    });
    child.unref();
    const entry: SandboxProcess = { name, pid: child.pid, logFile, child, exited, state: () => state };
    this.processes.push(entry);
    return entry;
  }

  /** Last lines of a process log, for error messages. */
  logTail(name: string, lines = 25): string {
    const entry = this.processes.find((candidate) => candidate.name === name);
    if (!entry) return '';
    try {
      return readFileSync(entry.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Pids of the components and of the reaper, for tests that check nothing survives. */
  pids(): number[] {
    const pids = this.processes.map((entry) => entry.pid);
    if (this.reaper.pid !== undefined) pids.push(this.reaper.pid);
    return pids;
  }

  /** Kills every group, waits (bounded) for the exits, removes the folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of [...this.processes].reverse()) killGroup(entry.pid);
    const waitLimit = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([Promise.all(this.processes.map((entry) => entry.exited)), waitLimit]);
    if (this.reaper.pid !== undefined) killGroup(this.reaper.pid);
    removeDir(this.dir);
    liveSandboxes.delete(this);
  }

  /** Synchronous last resort for exit and signal handlers. */
  stopNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of this.processes) killGroup(entry.pid);
    if (this.reaper.pid !== undefined) killGroup(this.reaper.pid);
    removeDir(this.dir);
    liveSandboxes.delete(this);
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function removeDir(dir: string): void {
  // A process killed a moment ago may still be closing files; rmSync retries ENOTEMPTY/EBUSY.
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** Stops every sandbox still running; used by the handlers and by a root `after` hook. */
function stopAllSandboxesNow(): void {
  for (const sandbox of [...liveSandboxes]) sandbox.stopNow();
}

// Under mocha, a root-level `after` hook (registered once, when a spec file first imports this
// module) stops whatever a suite forgot, before mocha reports and exits.
// Sandboxes lent to every file of the process (test/support/shared-real-clusters.ts) are not
// forgotten: in parallel mode this hook runs at the end of each file, and they must outlive it;
// the exit handler and the reaper still end them with the process.
if (typeof globalThis.after === 'function') {
  globalThis.after(function stopForgottenSandboxes() {
    for (const sandbox of [...liveSandboxes]) if (!sharedDirs.has(sandbox.dir)) sandbox.stopNow();
  });
}

const sharedDirs = new Set<string>();

/** Marks the sandbox in `dir` as lent for the whole process: only exit (or a crash) ends it. */
export function keepSandboxForProcess(dir: string): void {
  sharedDirs.add(dir);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', stopAllSandboxesNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      stopAllSandboxesNow();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (die by the signal) unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1: bound, read, released. Never the same port twice in this process,
 * so clusters started side by side cannot be given one port; another process may still take it
 * in the gap, which startRealClusters answers with one retry.
 */
export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no unused free port on 127.0.0.1 after 50 attempts');
}

async function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port on 127.0.0.1'))));
    });
  });
}

/** Pids whose command line mentions `needle` (e.g. a sandbox folder). Reads /proc: Linux only, and says so. */
export function processesMentioning(needle: string): number[] {
  if (process.platform !== 'linux')
    throw new Error(
      `processesMentioning reads /proc, which ${process.platform} does not have (the real-API tier is Linux only)`,
    );
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
