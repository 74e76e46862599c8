/**
 * The one signal policy, for every command that can leave something applied: the first signal
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT) reverts every fault and stops the run; a second one hurries
 * — stop waiting for k6 — and never skips the revert. Game days raise the same interruption from
 * a key instead of sending themselves a signal. An uncaught exception or unhandled rejection, or
 * a lost lock (`fail`), stops the run the same way but as a harness error: the revert still runs,
 * because the process does not crash while a run is being watched.
 */

import { errorText } from '../errors/errors.js';

const interruptSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
type InterruptSignal = (typeof interruptSignals)[number];

/** Where signals and uncaught errors come from: this process, or a test's emitter. */
export interface SignalSource {
  on(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  off(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
}

export interface Interruption {
  /** Aborted by the first signal: revert everything and stop. Its reason says which signal. */
  readonly interrupt: AbortSignal;
  /** Aborted by a second signal: stop waiting for k6 (the revert still happens). */
  readonly hurry: AbortSignal;
  /** Aborted when the run must stop as a harness error (uncaught error, lost lock); reason says why. */
  readonly failure: AbortSignal;
  /** As if `name` had arrived (a game day's Ctrl-C). */
  raise(name: string): void;
  /** Stop the run as a harness error: revert everything, exit with the harness-error code. */
  fail(reason: string): void;
  /** Stops listening; the signals' default actions come back. */
  dispose(): void;
}

export function watchInterrupts(options: {
  /** Told once, on the first signal, what happens now. */
  notify: (message: string) => void;
  source?: SignalSource;
}): Interruption {
  const source: SignalSource = options.source ?? process;
  const interrupt = new AbortController();
  const hurry = new AbortController();
  const failure = new AbortController();
  const raise = (name: string) => {
    if (!interrupt.signal.aborted) {
      options.notify(`\n${name}: reverting every fault and stopping k6 (again to skip waiting for k6)`);
      interrupt.abort(`interrupted by ${name}`);
    } else if (!hurry.signal.aborted) hurry.abort(name);
  };
  const fail = (reason: string) => {
    if (failure.signal.aborted) return;
    options.notify(`\n${reason}: reverting every fault and stopping k6`);
    failure.abort(reason);
  };
  const listener = (signal: InterruptSignal) => raise(signal);
  const onError = (error: unknown) => {
    if (error instanceof Error && error.stack) options.notify(error.stack);
    fail(`uncaught error: ${errorText(error)}`);
  };
  for (const signal of interruptSignals) source.on(signal, listener);
  source.on('uncaughtException', onError);
  source.on('unhandledRejection', onError);
  return {
    interrupt: interrupt.signal,
    hurry: hurry.signal,
    failure: failure.signal,
    raise,
    fail,
    dispose: () => {
      for (const signal of interruptSignals) source.off(signal, listener);
      source.off('uncaughtException', onError);
      source.off('unhandledRejection', onError);
    },
  };
}
