/**
 * Outputs: where a run is seen besides its folder and the console (a chat webhook, Grafana
 * annotations). Each is an event sink of every run (registered in the run's event log like the
 * console) plus what it does once a run or a suite is concluded. An output never changes a run:
 * what it cannot deliver is logged (`warn`) and the outcome and exit code stay what they were.
 */
import type { RunResult } from '../../report/result-schema.js';
import type { NotifiedRun } from '../../report/render-notification.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import type { RunEventSink } from '../../run/record/run-events.js';

interface ConcludedRun {
  result: RunResult;
  /** The report, as shown to people: the run folder's path (relative to the working directory). */
  where: string;
  exitCode: number;
  /** Part of a suite or batch: the suite's own end follows. */
  inSuite: boolean;
}

/** A run that ended without a result (it threw before it was judged). */
interface BrokenRun {
  scenario: string;
  exitCode: number;
  message: string;
  where: string | null;
  inSuite: boolean;
}

interface ConcludedSuite {
  name: string;
  exitCode: number;
  where: string;
  runs: NotifiedRun[];
  notRun: number;
}

export interface RunOutput {
  /** A run is opening: a sink of its events (after the console's). */
  openRun?(plan: RunPlan, environment: string): RunEventSink;
  runConcluded?(run: ConcludedRun): Promise<void>;
  runBroken?(run: BrokenRun): Promise<void>;
  suiteConcluded?(suite: ConcludedSuite): Promise<void>;
}

type Ending =
  { kind: 'run'; run: ConcludedRun } | { kind: 'broken'; run: BrokenRun } | { kind: 'suite'; suite: ConcludedSuite };

/** Hands an ending to every output, one after another; an output that throws is logged, never rethrown. */
export async function tellOutputs(
  outputs: readonly RunOutput[],
  ending: Ending,
  warn: (text: string) => void,
): Promise<void> {
  for (const output of outputs) {
    try {
      if (ending.kind === 'run') await output.runConcluded?.(ending.run);
      else if (ending.kind === 'broken') await output.runBroken?.(ending.run);
      else await output.suiteConcluded?.(ending.suite);
    } catch (error) {
      warn(`chaos: an output failed at the end of the ${ending.kind === 'suite' ? 'suite' : 'run'}: ${String(error)}`);
    }
  }
}
