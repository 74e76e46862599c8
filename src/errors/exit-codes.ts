/**
 * The one table of exit codes. Documented in README.md ("Exit codes"); keep both in step.
 * "Budgets breached" and "harness broke" never share a code: a nightly job must tell
 * "the service is not resilient" apart from "the test did not run".
 */
export const ExitCode = {
  /** Every verdict matched the expectation. */
  passed: 0,
  /** The run happened and its verdict did not match the expectation (budgets breached, or a negative control held). */
  budgetsBreached: 1,
  /** Bad scenario, environment, suite or command line; nothing was changed. */
  invalidInput: 2,
  /** The harness or the infrastructure failed (k6 missing or crashed, API unreachable, revert failed). */
  harnessError: 3,
  /**
   * The run happened but no verdict can be given: load not delivered, too few samples for a
   * percentile. Never a pass.
   */
  inconclusive: 4,
  /**
   * A negative control (`expect: fail`) that proves nothing: its baseline was already
   * breached, an ingress got no load, or nothing was breached with measured data.
   */
  invalid: 5,
  /** Stopped by SIGINT/SIGTERM; faults were reverted. */
  interrupted: 130,
} as const;

type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

/**
 * Interrupted first, then harness errors, then breached budgets, then runs that prove nothing
 * (invalid, inconclusive): never only the last scenario's code.
 */
export function combineExitCodes(codes: readonly number[]): number {
  const order: number[] = [
    ExitCode.interrupted,
    ExitCode.harnessError,
    ExitCode.budgetsBreached,
    ExitCode.invalid,
    ExitCode.inconclusive,
    ExitCode.invalidInput,
  ];
  return (
    order.find((code) => codes.includes(code)) ?? codes.find((code) => code !== ExitCode.passed) ?? ExitCode.passed
  );
}
