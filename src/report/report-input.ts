/**
 * What every renderer takes: a run's result and journal entries, as read from its folder
 * (the writer reads them; renderers never touch the disk), and for a batch the scenarios in
 * the order they ran.
 */
import { z } from 'zod';
import type { JournalEntry } from '../run/record/run-events.js';
import type { RunResult } from './result-schema.js';

export interface RunReport {
  /** The run folder's name (e.g. 20261122T024731Z-frontend-zero), for links. */
  folder: string;
  result: RunResult;
  journal: readonly JournalEntry[];
}

/** One scenario of a batch: its run, or why there is no result (it stopped before judging). */
export type BatchItem =
  | { kind: 'run'; report: RunReport }
  | { kind: 'error'; scenario: string; folder: string | null; exitCode: number; message: string };

export const batchFileName = 'batch.json';
export const batchSchemaVersion = 1;

/** `batch.json`: the record of `chaos run a b c`, from which the combined reports are rendered. */
export const batchRecordSchema = z.object({
  schemaVersion: z.literal(batchSchemaVersion),
  startedAt: z.string(),
  endedAt: z.string(),
  exitCode: z.number().int(),
  runs: z.array(
    z.object({
      scenario: z.string(),
      /** The run folder's name beside the batch folder; null when the run made none. */
      folder: z.string().nullable(),
      exitCode: z.number().int(),
      /** Set when the scenario ended without a result (a harness error before judging). */
      error: z.string().optional(),
    }),
  ),
});

export type BatchRecord = z.output<typeof batchRecordSchema>;

export interface BatchReport {
  folder: string;
  batch: BatchRecord;
  items: BatchItem[];
}
