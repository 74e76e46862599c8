import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** Where in a file a problem is; lines and columns are 1-based. */
interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a user's file: where, which field, what was expected, and a hint. */
export interface InputIssue extends SourcePosition {
  /** Dotted path of the field, e.g. `faults[0].replicas`. Empty for the document itself. */
  path: string;
  message: string;
  hint?: string;
}

/** The one error family: every error carries its exit code and, where it can, a hint. */
export class ChaosError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a file or argument the user can fix. Carries every issue found at once. */
export class InputError extends ChaosError {
  constructor(
    message: string,
    readonly issues: readonly InputIssue[] = [],
    hint?: string,
  ) {
    super(message, ExitCode.invalidInput, hint);
  }
}

/** The harness or the infrastructure failed; not the user's verdict. */
export class HarnessError extends ChaosError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.harnessError, hint);
  }
}

/** `file:line:column: path: message (hint)` — the format editors and CI logs link from. */
export function formatIssue(issue: InputIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const field = issue.path ? ` ${issue.path}:` : '';
  const hint = issue.hint ? `\n    hint: ${issue.hint}` : '';
  return `${where}:${field} ${issue.message}${hint}`;
}

export function formatError(error: unknown): string {
  if (error instanceof InputError) {
    const lines = [error.message, ...error.issues.map((issue) => `  ${formatIssue(issue)}`)];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return lines.join('\n');
  }
  if (error instanceof ChaosError) {
    return error.hint ? `${error.message}\nhint: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return `internal error: ${error.stack ?? error.message}`;
  return `internal error: ${String(error)}`;
}

export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof ChaosError ? error.exitCode : ExitCode.harnessError;
}

/** The message of anything thrown, for one-line reports (formatError adds hints and stacks). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
