/**
 * The write-ahead journal: the one record of a run, as JSON lines in `<runDir>/journal.jsonl`.
 * Every line is written and fsync'ed before `append` resolves, and the fault session appends
 * a mutation's undo record *before* the API call that makes it — so after `kill -9` the file
 * says exactly what may have changed and how to put it back (`chaos recover`).
 *
 * One format for the run: the runner appends its events (phase-started, abort, verdict, …),
 * the fault session appends fault and mutation events. Times are `atMs`, milliseconds since
 * the epoch on this machine's clock (the clock k6 stamps samples with). Reports are pure
 * functions of these entries.
 */
import { access, mkdir, open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Mutation, RevertOutcome } from '../../faults/mutation.js';
import type { JournalEntry } from './run-events.js';

export const journalFileName = 'journal.jsonl';

export interface JournalWriter {
  readonly file: string;
  /** Appends one line and fsyncs; resolves only when it is on disk. Appends are serialized. */
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
}

/** Opens (creating if needed) a journal for appending, and makes its folder entry durable. */
export async function openJournal(file: string): Promise<JournalWriter> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a+');
  await syncDirectory(path.dirname(file));
  await endTornLine(handle);
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const write = async (line: string, fileHandle: FileHandle): Promise<void> => {
    await fileHandle.appendFile(line, 'utf8');
    await fileHandle.datasync();
  };
  return {
    file,
    append: (entry) => {
      if (closed) return Promise.reject(new Error(`journal ${file} is closed`));
      const line = `${JSON.stringify(entry)}\n`;
      const next = queue.then(() => write(line, handle));
      // Keep the chain alive after a failure so later appends still try; the caller sees this one fail.
      queue = next.catch(() => undefined);
      return next;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await handle.close();
    },
  };
}

/** A crash mid-write leaves a line without its newline: end it, so the next entry stands on its own line. */
async function endTornLine(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] !== 0x0a) {
    await handle.appendFile('\n', 'utf8');
    await handle.datasync();
  }
}

async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync still holds its content.
  }
}

export interface JournalReading {
  file: string;
  entries: JournalEntry[];
  /** Lines that did not parse (a torn last line after a crash, or damage). */
  skipped: number;
}

export async function readJournal(file: string): Promise<JournalReading> {
  const text = await readFile(file, 'utf8');
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { type?: unknown }).type === 'string')
        entries.push(parsed as JournalEntry);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { file, entries, skipped };
}

/** Journals under `reportsDir`: `<reportsDir>/<run folder>/journal.jsonl`, oldest folder first. */
export async function findJournals(reportsDir: string): Promise<string[]> {
  let folders: string[];
  try {
    folders = (await readdir(reportsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const folder of folders) {
    const file = path.join(reportsDir, folder, journalFileName);
    try {
      await access(file);
      found.push(file);
    } catch {
      // A run folder without a journal (e.g. a plan-only folder): nothing to recover there.
    }
  }
  return found;
}

export interface PendingMutation {
  id: string;
  mutation: Mutation;
  /** Whether the call was confirmed; an unconfirmed one may still have landed. */
  confirmed: boolean;
  /** The last revert outcome recorded, if any (e.g. a conflict). */
  lastOutcome?: RevertOutcome;
}

/** Mutations intended in this journal and not (yet) recorded as undone. */
export function pendingMutations(entries: readonly JournalEntry[]): PendingMutation[] {
  const pending = new Map<string, PendingMutation>();
  for (const entry of entries) {
    if (entry.type === 'mutation-intended')
      pending.set(entry.id, { id: entry.id, mutation: entry.mutation, confirmed: false });
    else if (entry.type === 'mutation-done') {
      const item = pending.get(entry.id);
      if (item) item.confirmed = true;
    } else if (entry.type === 'mutation-reverted') {
      if (entry.outcome.status === 'reverted' || entry.outcome.status === 'absent') pending.delete(entry.id);
      else {
        const item = pending.get(entry.id);
        if (item) item.lastOutcome = entry.outcome;
      }
    }
  }
  return [...pending.values()];
}
