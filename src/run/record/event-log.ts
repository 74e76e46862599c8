/**
 * The one place a run's events go: each event is emitted once and handed to every sink — the
 * journal writer (durable, write-ahead), the console, the game-day view — the way k6's output
 * manager hands metrics to its outputs. `append` is the write-ahead path the fault session uses:
 * it resolves only when the journal has the entry on disk, so a mutation is never made before
 * its undo record exists. `emit` is fire-and-forget; journal writes stay in order either way.
 */
import { errorText } from '../../errors/errors.js';
import type { JournalWriter } from './journal.js';
import type { JournalEntry, RunEvent, RunEventSink } from './run-events.js';

/** What the fault session needs: durable appends (a JournalWriter is one, too). */
export interface EventRecorder {
  append(entry: JournalEntry): Promise<void>;
}

export interface EventLog extends EventRecorder {
  /** To every sink now; journaled (in order) unless it is a window. */
  emit(event: RunEvent): void;
  /** Adds a live sink (e.g. the game-day view once it knows the plan). */
  addSink(sink: RunEventSink): void;
  /** Waits for queued journal writes, closes the journal; returns what could not be written. */
  close(): Promise<string[]>;
}

export function createEventLog(journal: JournalWriter, sinks: readonly RunEventSink[] = []): EventLog {
  const live = [...sinks];
  const problems: string[] = [];
  let writes: Promise<void> = Promise.resolve();
  const write = (entry: JournalEntry): Promise<void> => {
    const next = writes.then(() => journal.append(entry));
    writes = next.catch((error: unknown) => {
      problems.push(errorText(error));
    });
    return next;
  };
  const toSinks = (event: RunEvent) => {
    for (const sink of live) {
      try {
        sink(event);
      } catch (error) {
        problems.push(`event sink failed on ${event.type}: ${errorText(error)}`);
      }
    }
  };
  return {
    emit: (event) => {
      if (event.type !== 'window') void write(event).catch(() => undefined);
      toSinks(event);
    },
    append: async (entry) => {
      await write(entry);
      toSinks(entry);
    },
    addSink: (sink) => {
      live.push(sink);
    },
    close: async () => {
      await writes;
      await journal.close();
      return problems;
    },
  };
}
