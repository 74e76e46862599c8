/**
 * The one signal policy, for every command that can leave something applied: the first signal
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT) reverts every fault and stops the run; a second one hurries
 * — stop waiting for k6 — and never skips the revert. Game days raise the same interruption from
 * a key instead of sending themselves a signal.
 */

export const interruptSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type InterruptSignal = (typeof interruptSignals)[number];

/** Where signals come from: this process, or a test's emitter. */
export interface SignalSource {
  on(signal: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  off(signal: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
}

export interface Interruption {
  /** Aborted by the first signal: revert everything and stop. Its reason says which signal. */
  readonly interrupt: AbortSignal;
  /** Aborted by a second signal: stop waiting for k6 (the revert still happens). */
  readonly hurry: AbortSignal;
  /** As if `name` had arrived (a game day's Ctrl-C, a lost lock). */
  raise(name: string): void;
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
  const raise = (name: string) => {
    if (!interrupt.signal.aborted) {
      options.notify(`\n${name}: reverting every fault and stopping k6 (again to skip waiting for k6)`);
      interrupt.abort(`interrupted by ${name}`);
    } else if (!hurry.signal.aborted) hurry.abort(name);
  };
  const listener = (signal: InterruptSignal) => raise(signal);
  for (const signal of interruptSignals) source.on(signal, listener);
  return {
    interrupt: interrupt.signal,
    hurry: hurry.signal,
    raise,
    dispose: () => {
      for (const signal of interruptSignals) source.off(signal, listener);
    },
  };
}
