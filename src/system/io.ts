/** The CLI's side effects on the terminal, injectable so tests can capture them. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (live views); false in CI and pipes. */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTty: Boolean(process.stdout.isTTY) && process.env.CI !== 'true',
    env: process.env,
    cwd: process.cwd(),
  };
}
