/** The CLI's side effects on the terminal, injectable so tests can capture them. */
import { createInterface } from 'node:readline/promises';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (live views); false in CI and pipes. */
  isTty: boolean;
  /** Whether to colour terminal output: a terminal, NO_COLOR unset or empty (no-color.org), TERM not dumb. */
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** `--log-format json`: every line is a JSON object (system/json-log.ts); run events print as they are. */
  logFormat?: 'text' | 'json';
  /** Ask one question on the terminal and give the answer line (`chaos init` on a TTY). */
  ask(question: string): Promise<string>;
}

/**
 * Writes lines to a stream until it fails: a closed pipe (`chaos run … | head`, EPIPE) or a gone
 * terminal must never crash a run that has faults applied — output simply stops.
 */
function lineWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', () => {
    open = false;
  });
  return (text) => {
    if (!open) return;
    try {
      stream.write(text.endsWith('\n') ? text : `${text}\n`);
    } catch {
      open = false;
    }
  };
}

/** Colours only on a terminal that wants them (NO_COLOR set and not empty, or TERM=dumb, turn them off). */
export function colorEnabled(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty && env.TERM !== 'dumb';
}

export function processIo(): CliIo {
  const isTty = Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
  return {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    isTty,
    color: colorEnabled(process.env, isTty),
    env: process.env,
    cwd: process.cwd(),
    ask: async (question) => {
      // One interface per question: an open one would keep stdin, and so the process, alive.
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
