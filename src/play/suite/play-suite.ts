/**
 * A suite's order of play: each scenario in turn, a settle check before every scenario but the
 * first, and a stop at the first failure when asked (fail fast) or on an interruption. What ran
 * and what did not is returned for the combined reports; the exit code is the caller's to
 * combine over every scenario, never only the first or the last.
 */
import { ExitCode } from '../../errors/exit-codes.js';
import type { SuiteEntry } from './read-suite.js';

export interface SuiteRun {
  scenario: string;
  exitCode: number;
  /** The run folder's name; null when the scenario made none. */
  folder: string | null;
  /** Set when the scenario ended without a result. */
  error?: string;
}

interface NotRun {
  scenario: string;
  reason: string;
}

export interface SuitePlayers {
  runOne(entry: SuiteEntry, index: number): Promise<SuiteRun>;
  /** Before `next` (every scenario but the first): is the environment back to its steady state? A batch has none. */
  settle?(previous: SuiteEntry, next: SuiteEntry): Promise<{ settled: boolean; message: string }>;
  say(text: string): void;
  /** A signal arrived between scenarios: start no other. */
  interrupted?: () => boolean;
}

export interface SuitePlay {
  runs: SuiteRun[];
  notRun: NotRun[];
  /** Settle checks as they happened, for the console and the summary. */
  settles: Array<{ before: string; settled: boolean; message: string }>;
}

const { interrupted, harnessError } = ExitCode;

export async function playSuite(
  entries: readonly SuiteEntry[],
  policy: { failFast: boolean },
  players: SuitePlayers,
): Promise<SuitePlay> {
  const play: SuitePlay = { runs: [], notRun: [], settles: [] };
  const skipRest = (from: number, reason: string) => {
    for (const entry of entries.slice(from)) play.notRun.push({ scenario: entry.name, reason });
  };
  for (const [index, entry] of entries.entries()) {
    if (players.interrupted?.()) {
      skipRest(index, 'not run: the suite was interrupted');
      break;
    }
    if (index > 0 && players.settle) {
      const previous = entries[index - 1]!;
      const settle = await players.settle(previous, entry);
      play.settles.push({ before: entry.name, ...settle });
      players.say(`settle check before ${entry.name}: ${settle.message}`);
      if (!settle.settled && players.interrupted?.()) {
        skipRest(index, 'not run: the suite was interrupted');
        break;
      }
      if (!settle.settled) {
        // A harness error of the scenario that could not start: visible in JUnit and in the exit code.
        play.runs.push({
          scenario: entry.name,
          exitCode: harnessError,
          folder: null,
          error: `not run: the environment did not settle after ${previous.name}: ${settle.message}`,
        });
        skipRest(index + 1, `not run: the environment did not settle after ${previous.name}`);
        break;
      }
    }
    const run = await players.runOne(entry, index);
    play.runs.push(run);
    if (run.exitCode === interrupted) {
      skipRest(index + 1, `not run: the suite was interrupted during ${entry.name}`);
      break;
    }
    if (policy.failFast && run.exitCode !== 0) {
      skipRest(index + 1, `not run: --fail-fast after ${entry.name} failed (exit ${run.exitCode})`);
      break;
    }
  }
  return play;
}
