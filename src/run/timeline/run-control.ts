/**
 * The control channel of a run (game days): a facilitator's commands, read by the timeline while
 * it runs. Without a control the timeline follows the plan's clock exactly; with one, a phase
 * ends when its time is up unless it is held, or earlier on `next`, and faults can be reverted
 * on demand. Every command is journaled (as a `log` entry, or a `note`), so the report shows
 * what the facilitator did and when.
 */
import { pause } from '../../system/sleep.js';
import type { PlannedPhase } from '../plan/build-plan.js';
import type { FaultDriver, RevertedFault } from '../session/fault-driver.js';
import type { RunEventSink } from '../record/run-events.js';

export type RunCommand =
  /** End the current phase now: its faults are reverted and the next phase starts (applying its own). */
  | { kind: 'next' }
  /** Hold the current phase past its planned end, until `next`; a second `hold` releases it. */
  | { kind: 'hold' }
  /** Revert the current phase's faults now; the phase goes on (its time keeps running) without them. */
  | { kind: 'revert' }
  /** The big red key: revert every fault at once and apply no more; the load goes on so recovery is seen. */
  | { kind: 'revert-all' }
  /** Stop the run: revert everything, stop k6 (the run ends as interrupted). */
  | { kind: 'abort' }
  /** A note on the timeline, stamped with the time it was typed. */
  | { kind: 'note'; text: string; atMs?: number; author?: string };

export interface RunControl {
  /** Calls `listener` for each command from now on; returns the unsubscribe function. */
  subscribe(listener: (command: RunCommand) => void): () => void;
}

/** A control that tests and the game-day view push commands into. */
export function createRunControl(): RunControl & { send(command: RunCommand): void } {
  const listeners = new Set<(command: RunCommand) => void>();
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send: (command) => {
      for (const listener of listeners) listener(command);
    },
  };
}

export interface PhaseGate {
  /** Called as a phase starts, before its faults are applied. */
  enter(phase: PlannedPhase): void;
  /** Whether the big red key was pressed: no more faults are applied. */
  faultsStopped(): boolean;
  /** Resolves when the phase should end: planned end (unless held), or `next`. Rejects with `signal`'s reason. */
  waitForEnd(plannedEndMs: number, signal: AbortSignal): Promise<void>;
  /** Whether the current phase's faults were already reverted by a command (and how). */
  revertedEarly(phase: PlannedPhase): Promise<RevertedFault[]> | undefined;
  close(): void;
}

export interface GateOptions {
  control: RunControl;
  driver: FaultDriver;
  emit: RunEventSink;
  now: () => number;
  /** Stops the run (abort). */
  abort: (reason: string) => void;
  /** Faults reverted by a command, for the run's record. */
  onReverted: (records: RevertedFault[]) => void;
  /** A command starts reverting a phase's faults now (its revert transition starts). */
  onRevertStarted?: (phase: PlannedPhase, atMs: number) => void;
  /** Serializes fault actions after any apply in flight. */
  afterApply: () => Promise<void>;
  /** While a phase is held, its faults' expiry is pushed this far ahead, this often (default 60 s). */
  holdRenewMs?: number;
}

export function openPhaseGate(options: GateOptions): PhaseGate {
  const gate: GateState = { held: false, ended: false, stopped: false, early: new Map() };
  const unsubscribe = options.control.subscribe((command) => obey(command, gate, options));
  return {
    enter: (next) => {
      gate.phase = next;
      gate.held = false;
      gate.ended = false;
    },
    faultsStopped: () => gate.stopped,
    waitForEnd: (plannedEndMs, signal) => waitForPhaseEnd(gate, options, plannedEndMs, signal),
    revertedEarly: (current) => gate.early.get(current.name),
    close: () => {
      unsubscribe();
      gate.wake?.();
    },
  };
}

/** Where a gate stands: the current phase, whether it is held or told to end, what commands reverted. */
interface GateState {
  phase?: PlannedPhase;
  held: boolean;
  ended: boolean;
  /** The big red key was pressed: no more faults are applied. */
  stopped: boolean;
  /** Cuts the current wait short (a command came). */
  wake?: () => void;
  /** Per phase name: the revert a command started. */
  early: Map<string, Promise<RevertedFault[]>>;
}

function obey(command: RunCommand, gate: GateState, options: GateOptions): void {
  const { emit, now } = options;
  const say = (message: string) =>
    emit({ type: 'log', atMs: now(), level: 'info', message: `facilitator: ${message}` });
  const { phase } = gate;
  switch (command.kind) {
    case 'note':
      emit({
        type: 'note',
        atMs: command.atMs ?? now(),
        text: command.text,
        ...(command.author ? { author: command.author } : {}),
      });
      return;
    case 'next':
      say(`next: phase ${phase?.name ?? '(none yet)'} ends now`);
      gate.ended = true;
      gate.wake?.();
      return;
    case 'hold':
      gate.held = !gate.held;
      say(
        gate.held
          ? `hold: phase ${phase?.name ?? '(none yet)'} is held until next`
          : `release: phase ${phase?.name ?? '(none yet)'} ends at its planned time`,
      );
      gate.wake?.();
      return;
    case 'revert':
      say(`revert: the faults of phase ${phase?.name ?? '(none yet)'} are reverted now`);
      if (phase) revertPhase(phase, gate, options);
      return;
    case 'revert-all':
      say('REVERT EVERYTHING: every fault is reverted now and no more are applied');
      revertEverything(gate, options);
      return;
    case 'abort':
      say('abort: the run stops now');
      options.abort('aborted by the facilitator');
      return;
  }
}

function revertPhase(current: PlannedPhase, gate: GateState, options: GateOptions): void {
  if (current.faults.length === 0 || gate.early.has(current.name)) return;
  const reverting = options
    .afterApply()
    .then(() => {
      options.onRevertStarted?.(current, options.now());
      return options.driver.revert(current);
    })
    .then((records) => {
      options.onReverted(records);
      return records;
    });
  // The end of the phase awaits this promise and reports a failure there; never unhandled here.
  reverting.catch(() => undefined);
  gate.early.set(current.name, reverting);
}

function revertEverything(gate: GateState, options: GateOptions): void {
  const { emit, now } = options;
  if (gate.stopped) return;
  gate.stopped = true;
  const { phase } = gate;
  const startedAtMs = now();
  const reason = 'the facilitator reverted everything (big red key)';
  if (phase && phase.faults.length > 0 && !gate.early.has(phase.name)) options.onRevertStarted?.(phase, startedAtMs);
  void options.driver.revertAll(reason).then((report) => {
    // The report lists every fault ever reverted; only those reverted now are news.
    const revertedNow = report.reverted.filter((r) => r.revertedAtMs >= startedAtMs);
    options.onReverted(revertedNow);
    emit({
      type: 'revert-all',
      atMs: startedAtMs,
      reason,
      finishedAtMs: now(),
      failures: report.failures.map((f) => `${f.faultId}@${f.cluster}: ${f.message}`),
    });
  });
}

async function waitForPhaseEnd(
  gate: GateState,
  options: GateOptions,
  plannedEndMs: number,
  signal: AbortSignal,
): Promise<void> {
  const { now } = options;
  const renewMs = options.holdRenewMs ?? 60_000;
  // Bounded: each pass either returns, or waits for the planned end, a command, a renewal or the halt.
  while (!gate.ended) {
    if (signal.aborted) throw signal.reason;
    const left = plannedEndMs - now();
    if (!gate.held && left <= 0) return;
    // Held: the faults stay past their planned end, so their expiry (which a guard honours) moves on.
    if (gate.held && gate.phase) extendHold(gate.phase, renewMs * 2, options);
    const pass = new AbortController();
    gate.wake = () => pass.abort();
    await pause(gate.held ? renewMs : left, AbortSignal.any([signal, pass.signal]));
    gate.wake = undefined;
    if (signal.aborted) throw signal.reason;
  }
}

function extendHold(current: PlannedPhase, forMs: number, options: GateOptions): void {
  void options.driver.extendExpiry?.(current.name, forMs).then((problems) => {
    for (const problem of problems) options.emit({ type: 'log', atMs: options.now(), level: 'warn', message: problem });
  });
}
