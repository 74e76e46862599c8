/** The CLI's side effects on the terminal, injectable so tests can capture them. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (live views); false in CI and pipes. */
  isTty: boolean;
  /** Whether to colour terminal output: a terminal, NO_COLOR unset or empty (no-color.org), TERM not dumb. */
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function colorEnabled(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty && env.TERM !== 'dumb';
}

export function processIo(): CliIo {
  const isTty = Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTty,
    color: colorEnabled(process.env, isTty),
    env: process.env,
    cwd: process.cwd(),
  };
}
