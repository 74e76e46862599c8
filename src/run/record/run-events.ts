/**
 * Everything that happens during a run, as typed events: ONE definition for the journal, the
 * console, the game-day view and the reports. The run emits each event once into its event log
 * (src/run/record/event-log.ts), which hands it to every sink; the journal sink writes every event but
 * `window` (windows live in result.json). Times are milliseconds on the machine clock, the same
 * clock k6 stamps samples with.
 */
import type { WindowSummary } from '../../budgets/ledger.js';
import type { Mutation, RevertOutcome } from '../../faults/mutation.js';

/** Events about the run as a whole (the timeline, the lock, the load, the facilitator). */
type RunLevelEvent =
  | {
      type: 'run-started';
      atMs: number;
      runId: string;
      scenario: string;
      environment: string;
      runDir?: string;
      clusters?: Array<{ name: string; context: string }>;
      host?: string;
      pid?: number;
    }
  | { type: 'lock-acquired'; atMs: number; runId: string; holder: string; clusters: string[] }
  | { type: 'lock-lost'; atMs: number; runId: string; cluster: string; reason: string }
  | { type: 'lock-released'; atMs: number; runId: string; problems: string[] }
  /** The local k6 process (its group is killed with us; `chaos recover` stops it if we died first). */
  | { type: 'k6-started'; atMs: number; pid: number; host: string }
  | { type: 'load-started'; atMs: number; ingresses: Record<string, string> }
  | { type: 'phase-started'; atMs: number; phase: string; plannedMs: number }
  | { type: 'phase-ended'; atMs: number; phase: string }
  | { type: 'abort'; atMs: number; reason: string; windowEndMs?: number }
  | { type: 'revert-all'; atMs: number; reason: string; finishedAtMs: number; failures: string[] }
  | { type: 'k6-ended'; atMs: number; end: string }
  | { type: 'log'; atMs: number; level: 'info' | 'warn' | 'error'; message: string }
  /** Game day: a human's note on the timeline. */
  | { type: 'note'; atMs: number; text: string; author?: string }
  | {
      type: 'verdict';
      atMs: number;
      verdict: 'pass' | 'fail' | 'error' | 'interrupted';
      exitCode: number;
      summary: string;
    }
  | { type: 'run-ended'; atMs: number; exitCode: number };

/** Where in the fault's life a failure happened. */
type FaultStage = 'apply' | 'verify' | 'revert' | 'verify-reverted';

/**
 * Events of the fault session, per fault and cluster and per mutation. The session is their only
 * source: the timeline never re-announces a fault.
 */
type FaultEvent =
  | { type: 'fault-applying'; atMs: number; phase?: string; faultId: string; faultType: string; cluster: string }
  /** Written (and on disk) BEFORE the API call: what will change and how to undo it. */
  | { type: 'mutation-intended'; atMs: number; id: string; mutation: Mutation }
  | { type: 'mutation-done'; atMs: number; id: string }
  /** The call failed; it may or may not have landed, so it is still reverted. */
  | { type: 'mutation-failed'; atMs: number; id: string; error: string }
  /**
   * The fault is in place and verified: `atMs` when applied (the API calls done),
   * `effectiveAtMs` when observed. Istio faults add when the data plane had it (`convergedAtMs`)
   * and how that was known (`convergence`: the VirtualService status, or a settle time waited).
   */
  | {
      type: 'fault-applied';
      atMs: number;
      phase?: string;
      faultId: string;
      cluster: string;
      effectiveAtMs: number;
      convergedAtMs?: number;
      convergence?: 'status' | 'settle';
    }
  | {
      type: 'fault-failed';
      atMs: number;
      phase?: string;
      faultId: string;
      cluster: string;
      stage: FaultStage;
      error: string;
    }
  | { type: 'mutation-reverted'; atMs: number; id: string; outcome: RevertOutcome; by?: 'run' | 'recover' }
  /** Every mutation of the fault in that cluster is undone (`ok`), or some could not be. */
  | { type: 'fault-reverted'; atMs: number; phase?: string; faultId: string; cluster: string; ok: boolean }
  /** `atMs` when reverted (the API calls done); Istio faults add when the data plane dropped it. */
  | {
      type: 'fault-revert-verified';
      atMs: number;
      faultId: string;
      cluster: string;
      verifiedAtMs: number;
      convergedAtMs?: number;
      convergence?: 'status' | 'settle';
    };

/** A closed window of load results for one ingress (live views; result.json keeps them all). */
type WindowEvent = { type: 'window'; atMs: number; window: WindowSummary };

export type RunEvent = RunLevelEvent | FaultEvent | WindowEvent;

/** What the journal holds: every event but windows. */
export type JournalEntry = Exclude<RunEvent, WindowEvent>;

/** A live consumer of events (console, game-day view); must not throw and must not block. */
export type RunEventSink = (event: RunEvent) => void;
