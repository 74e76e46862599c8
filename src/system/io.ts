/** The CLI's side effects on the terminal, injectable so tests can capture them. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (live views); false in CI and pipes. */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
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

export function processIo(): CliIo {
  return {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    isTty: Boolean(process.stdout.isTTY) && process.env.CI !== 'true',
    env: process.env,
    cwd: process.cwd(),
  };
}
